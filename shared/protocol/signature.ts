/**
 * Request signing and key checks (PROTOCOL 1.5, 4.3). The SDKs re-canonicalise the body they
 * receive before verifying, so the server must send exactly the JCS bytes it signed.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import canonicalize from "canonicalize";
import { SIGNING_KEY_PREFIX_RE } from "./constants.js";

/** RFC 8785 canonical JSON. Throws for values JSON cannot represent (undefined, functions...). */
export function canonicalJson(value: unknown): string {
  const out = canonicalize(value);
  if (out === undefined) throw new Error("value cannot be represented as JSON");
  return out;
}

/** The key without its `signkey-<env>-` prefix; the HMAC key is this text as UTF-8. */
export function normaliseSigningKey(key: string): string {
  return key.replace(SIGNING_KEY_PREFIX_RE, "");
}

/**
 * Hex text to bytes the way the JS SDK's hash.js does it (non-alphanumerics dropped, odd length
 * left-padded with 0), so a slightly malformed key still hashes to the SDK's bearer value.
 */
function hexBytes(hex: string): Buffer {
  let clean = hex.replace(/[^a-z0-9]+/gi, "");
  if (clean.length % 2 !== 0) clean = `0${clean}`;
  const out = Buffer.alloc(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(i * 2, i * 2 + 2), 16) || 0;
  return out;
}

/** The bearer token the SDK sends to the server: prefix + sha256(hexDecode(normalised key)). */
export function hashedSigningKey(key: string): string {
  if (!key) return "";
  const prefix = SIGNING_KEY_PREFIX_RE.exec(key)?.[0] ?? "";
  const digest = createHash("sha256")
    .update(hexBytes(normaliseSigningKey(key)))
    .digest("hex");
  return `${prefix}${digest}`;
}

/** hex(HMAC-SHA256(utf8(normalised key), rawBody ‖ t)). */
export function signatureFor(rawBody: string, signingKey: string, t: number): string {
  return createHmac("sha256", normaliseSigningKey(signingKey))
    .update(rawBody)
    .update(String(t))
    .digest("hex");
}

/**
 * Canonicalises `body` and signs it. `body === undefined` signs the empty string (a GET, e.g.
 * introspection). Send `result.body` byte for byte and `result.signature` as x-inngest-signature.
 */
export function signRequest(
  body: unknown,
  signingKey: string,
  nowSeconds: number,
): { body: string; signature: string } {
  const t = Math.floor(nowSeconds);
  const raw = body === undefined ? "" : canonicalJson(body);
  return { body: raw, signature: `t=${t}&s=${signatureFor(raw, signingKey, t)}` };
}

/** Constant-time string equality; hashing first hides length differences too. */
function safeEqual(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

/** Parses `t=<int>&s=<hex>` in any order; undefined when malformed. */
function parseSignatureHeader(header: string): { t: number; s: string } | undefined {
  const params = new URLSearchParams(header.trim());
  const t = params.get("t");
  const s = params.get("s");
  if (!t || !s || !/^-?\d+$/.test(t)) return undefined;
  return { t: Number(t), s };
}

/**
 * Checks an SDK response signature: HMAC over the RAW response body (not JCS) with `t`, trying
 * each key in order (primary, then fallback). No time window: the response answers our request.
 */
export function verifyResponseSignature(
  rawBody: string,
  header: string | null | undefined,
  keys: string[],
): boolean {
  if (!header) return false;
  const parsed = parseSignatureHeader(header);
  if (!parsed) return false;
  return keys.some((key) => key !== "" && safeEqual(signatureFor(rawBody, key, parsed.t), parsed.s));
}

/**
 * Authenticates an SDK → server call: `Bearer <key>` where the key is the plain or the hashed
 * signing key; the `signkey-<env>-` prefix is ignored on both sides (Go `HandleSigningKey`).
 */
export function bearerMatches(authorization: string | undefined, signingKeys: string[]): boolean {
  if (!authorization) return false;
  const match = /^bearer\s+(\S+)\s*$/i.exec(authorization.trim());
  const token = match?.[1];
  if (!token) return false;
  const presented = normaliseSigningKey(token);
  let ok = false;
  // Check every candidate (no early exit) so timing does not reveal which key matched.
  for (const key of signingKeys) {
    if (!key) continue;
    const plain = normaliseSigningKey(key);
    const hashed = normaliseSigningKey(hashedSigningKey(key));
    if (safeEqual(presented, plain)) ok = true;
    if (safeEqual(presented, hashed)) ok = true;
  }
  return ok;
}
