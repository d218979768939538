/**
 * Which addresses a server-initiated sync (`POST /v1/apps/sync`) may reach. Tideline makes that
 * request on the caller's behalf, so in cloud mode it refuses the places only an insider should
 * reach: link-local addresses (where cloud metadata services answer: 169.254.169.254,
 * fd00:ec2::254), loopback (on Lambda, the runtime API) and the unspecified address. In dev mode
 * apps run on localhost, so only the scheme is checked.
 */
import { BlockList, isIPv4 } from "node:net";
import { ValidationError } from "../../domain/errors.js";

const REFUSED: [string, string, number, "ipv4" | "ipv6"][] = [
  ["link-local (cloud metadata)", "169.254.0.0", 16, "ipv4"],
  ["link-local (cloud metadata)", "fe80::", 10, "ipv6"],
  ["cloud metadata", "fd00:ec2::254", 128, "ipv6"],
  ["loopback", "127.0.0.0", 8, "ipv4"],
  ["loopback", "::1", 128, "ipv6"],
  ["unspecified", "0.0.0.0", 8, "ipv4"],
  ["unspecified", "::", 128, "ipv6"],
];

const lists = REFUSED.map(([kind, network, prefix, type]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, type);
  return { kind, list };
});

/** Why `address` may not be a sync target in cloud mode, or undefined when it may. */
export function refusedAddress(address: string): string | undefined {
  // IPv4-mapped IPv6 (::ffff:169.254.169.254) is the IPv4 address in disguise.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const ip = mapped ?? address;
  const type = isIPv4(ip) ? "ipv4" : "ipv6";
  return lists.find(({ list }) => list.check(ip, type))?.kind;
}

/** The URL of a sync request, checked: http(s) only. */
export function syncUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ValidationError(`url is not a valid URL: ${raw}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ValidationError(`url must be http or https, not ${url.protocol.replace(/:$/, "")}`);
  }
  return url;
}
