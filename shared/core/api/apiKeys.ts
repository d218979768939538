import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Whether `Authorization: Bearer <key>` carries an API key whose sha256 hex is configured
 * (TIDELINE_API_KEY_HASHES). Keys are never stored in clear; every hash is compared, in constant
 * time, so timing does not reveal which one matched.
 */
export function apiKeyMatches(authorization: string | undefined, hashes: readonly string[]): boolean {
  const token = /^bearer\s+(\S+)\s*$/i.exec(authorization?.trim() ?? "")?.[1];
  if (!token || hashes.length === 0) return false;
  const presented = createHash("sha256").update(token).digest();
  let ok = false;
  for (const hex of hashes) {
    const expected = Buffer.from(hex, "hex");
    if (expected.length === presented.length && timingSafeEqual(expected, presented)) ok = true;
  }
  return ok;
}
