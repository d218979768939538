/**
 * Requests Tideline makes to an app's URL on a caller's behalf (server-initiated sync). Unlike
 * fetch, it never follows a redirect, and every address the host name resolves to is checked at
 * connect time (so a DNS answer cannot swap a refused address in after a check).
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP, type LookupFunction } from "node:net";
import type { AppHttp, AppHttpResult } from "../../ports/index.js";

type AppRequestOptions = Parameters<AppHttp["request"]>[1];
type AppResponse = Extract<AppHttpResult, { ok: true }>;

/** The request reached no app: the host is refused, unknown or unreachable, or it timed out. */
class AppUnreachableError extends Error {
  override name = "AppUnreachableError";
  constructor(
    message: string,
    /** True when the address was refused by policy (the caller's mistake, not the app's). */
    readonly refused = false,
  ) {
    super(message);
  }
}

const MAX_BODY_BYTES = 1024 * 1024;

const REASONS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  ECONNRESET: "connection reset",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "connection timed out",
  CERT_HAS_EXPIRED: "TLS certificate expired",
  DEPTH_ZERO_SELF_SIGNED_CERT: "self-signed TLS certificate",
};

function guardedLookup(refuse: (address: string) => string | undefined): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, "", 4);
      const bad = addresses.find((a) => refuse(a.address) !== undefined);
      if (bad) {
        const why = refuse(bad.address) ?? "refused";
        return callback(
          new AppUnreachableError(`${hostname} resolves to ${bad.address}, a ${why} address`, true),
          "",
          4,
        );
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(new AppUnreachableError(`${hostname} has no address`), "", 4);
      callback(null, first.address, first.family);
    });
  };
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    res.on("error", reject);
  });
}

function send(url: URL, opts: AppRequestOptions): Promise<AppResponse> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const refuse = opts.refuseAddress;
  if (refuse && isIP(host)) {
    const why = refuse(host);
    if (why) throw new AppUnreachableError(`${host} is a ${why} address`, true);
  }
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise<AppResponse>((resolve, reject) => {
    const req = request(
      url,
      {
        method: opts.method,
        timeout: opts.timeoutMs,
        headers: { "content-length": "0" },
        ...(refuse ? { lookup: guardedLookup(refuse) } : {}),
      },
      (res) => {
        readBody(res).then(
          (body) =>
            resolve({
              ok: true,
              status: res.statusCode ?? 0,
              ...(res.headers.location ? { location: res.headers.location } : {}),
              body,
            }),
          reject,
        );
      },
    );
    req.on("timeout", () => req.destroy(new AppUnreachableError(`no answer within ${opts.timeoutMs} ms`)));
    req.on("error", (err: NodeJS.ErrnoException) => {
      if (err instanceof AppUnreachableError) return reject(err);
      const reason = (err.code && REASONS[err.code]) ?? err.message;
      reject(new AppUnreachableError(err.code ? `${reason} (${err.code})` : reason));
    });
    req.end();
  });
}

/** The production AppHttp: node's http/https, no redirects, addresses checked at connect time. */
export const nodeAppHttp: AppHttp = {
  async request(url, opts) {
    try {
      return await send(url, opts);
    } catch (err) {
      if (err instanceof AppUnreachableError) return { ok: false, refused: err.refused, reason: err.message };
      return { ok: false, refused: false, reason: err instanceof Error ? err.message : String(err) };
    }
  },
};
