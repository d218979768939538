import { createHash } from "node:crypto";
import { encodeTime } from "ulid";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** Crockford base32 of 10 bytes (80 bits) = the 16-character ULID randomness part. */
export function encodeEntropy(bytes: Uint8Array): string {
  if (bytes.length !== 10) throw new Error("ULID entropy must be 10 bytes");
  let out = "";
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  for (let i = 15; i >= 0; i--) out += CROCKFORD[Number((value >> BigInt(i * 5)) & 31n)];
  return out;
}

/** ULID with the given time and entropy taken from a hash of `seed`: same inputs, same id. */
export function deterministicUlid(timeMs: number, seed: string): string {
  const digest = createHash("sha256").update(seed).digest();
  return encodeTime(Math.max(0, Math.floor(timeMs)), 10) + encodeEntropy(digest.subarray(0, 10));
}

/** UUID-shaped stable id derived from a string (for APIs that expect a function UUID). */
export function stableUuid(seed: string): string {
  const h = createHash("sha256").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
