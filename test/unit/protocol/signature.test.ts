import { describe, expect, it } from "vitest";
import {
  bearerMatches,
  canonicalJson,
  hashedSigningKey,
  normaliseSigningKey,
  signatureFor,
  signRequest,
  verifyResponseSignature,
} from "../../../shared/protocol/signature.js";

// Worked examples from PROTOCOL 1.5 and 4.3 (verified against the SDK).
const KEY = "signkey-prod-0123456789abcdef0123456789abcdef";
const HASHED = "signkey-prod-223e0a160af9da0a03e6dd2c4719c56f5d66a633cbe84e78aaa9f3735865522a";
const EXAMPLE_BODY =
  '{"ctx":{"attempt":0,"run_id":"01RUN"},"event":{"data":{"orderId":"o_1"},"id":"01J","name":"shop/order.placed","ts":1700000000000,"user":{}},"steps":{}}';
const EXAMPLE_SIG = "18ac52577dd3d06758abda23dfc891a0b70d5daa633cb88567d93a4c712daac4";
const EMPTY_SIG = "6458320a3e327061ab7bfe28ace9cb02bb2b840c75b483a0c002831176bd6256";

describe("canonicalJson", () => {
  it("sorts keys and drops whitespace", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, "x"], c: null } })).toBe('{"a":{"c":null,"d":[1,"x"]},"b":1}');
  });

  it("throws when the value has no JSON form", () => {
    expect(() => canonicalJson(undefined)).toThrow();
  });
});

describe("signing keys", () => {
  it("strips the signkey-<env>- prefix", () => {
    expect(normaliseSigningKey(KEY)).toBe("0123456789abcdef0123456789abcdef");
    expect(normaliseSigningKey("signkey-branch_1-abc")).toBe("abc");
    expect(normaliseSigningKey("abc")).toBe("abc");
  });

  it("hashes the key like the SDK's bearer token (PROTOCOL 1.5 example)", () => {
    expect(hashedSigningKey(KEY)).toBe(HASHED);
  });

  it("hashes an unprefixed key without adding a prefix", () => {
    expect(hashedSigningKey("0123456789abcdef0123456789abcdef")).toBe(HASHED.replace("signkey-prod-", ""));
  });
});

describe("signRequest", () => {
  it("produces the PROTOCOL 4.3 worked example from a key-shuffled body", () => {
    const body = {
      steps: {},
      event: { user: {}, ts: 1700000000000, name: "shop/order.placed", id: "01J", data: { orderId: "o_1" } },
      ctx: { run_id: "01RUN", attempt: 0 },
    };
    const signed = signRequest(body, KEY, 1700000000.9);
    expect(signed.body).toBe(EXAMPLE_BODY);
    expect(signed.signature).toBe(`t=1700000000&s=${EXAMPLE_SIG}`);
  });

  it("signs the empty string when there is no body (PROTOCOL 4.3 GET example)", () => {
    expect(signRequest(undefined, KEY, 1700000000)).toEqual({
      body: "",
      signature: `t=1700000000&s=${EMPTY_SIG}`,
    });
    expect(signatureFor("", KEY, 1700000000)).toBe(EMPTY_SIG);
  });

  it("gives the same signature with or without the key prefix", () => {
    expect(signatureFor(EXAMPLE_BODY, normaliseSigningKey(KEY), 1700000000)).toBe(EXAMPLE_SIG);
  });
});

describe("verifyResponseSignature", () => {
  const raw = '{ "pretty": true,\n  "a": 1 }';
  const header = `t=1700000000&s=${signatureFor(raw, KEY, 1700000000)}`;

  it("accepts a signature over the raw (non-canonical) body", () => {
    expect(verifyResponseSignature(raw, header, [KEY])).toBe(true);
  });

  it("accepts parameters in any order", () => {
    const [t, s] = header.split("&");
    expect(verifyResponseSignature(raw, `${s}&${t}`, [KEY])).toBe(true);
  });

  it("tries the fallback key after the primary", () => {
    expect(verifyResponseSignature(raw, header, ["signkey-prod-ffff", KEY])).toBe(true);
  });

  it("rejects when the body was re-canonicalised", () => {
    expect(verifyResponseSignature(canonicalJson(JSON.parse(raw)), header, [KEY])).toBe(false);
  });

  it("rejects when the header is missing, malformed or no key matches", () => {
    expect(verifyResponseSignature(raw, undefined, [KEY])).toBe(false);
    expect(verifyResponseSignature(raw, null, [KEY])).toBe(false);
    expect(verifyResponseSignature(raw, "garbage", [KEY])).toBe(false);
    expect(verifyResponseSignature(raw, "t=abc&s=00", [KEY])).toBe(false);
    expect(verifyResponseSignature(raw, header, ["signkey-prod-ffff"])).toBe(false);
    expect(verifyResponseSignature(raw, header, [])).toBe(false);
  });
});

describe("bearerMatches", () => {
  it("accepts the hashed key the SDK sends", () => {
    expect(bearerMatches(`Bearer ${HASHED}`, [KEY])).toBe(true);
  });

  it("accepts the plain key", () => {
    expect(bearerMatches(`Bearer ${KEY}`, [KEY])).toBe(true);
  });

  it("ignores the prefix on either side", () => {
    expect(bearerMatches(`Bearer ${normaliseSigningKey(HASHED)}`, [KEY])).toBe(true);
    expect(bearerMatches(`Bearer signkey-test-${normaliseSigningKey(KEY)}`, [KEY])).toBe(true);
    expect(bearerMatches(`Bearer ${HASHED}`, [normaliseSigningKey(KEY)])).toBe(true);
  });

  it("accepts a match on the fallback key and a lower-case scheme", () => {
    expect(bearerMatches(`bearer ${HASHED}`, ["signkey-prod-aaaa", KEY])).toBe(true);
  });

  it("rejects when the header is missing, empty or names another key", () => {
    expect(bearerMatches(undefined, [KEY])).toBe(false);
    expect(bearerMatches("Bearer", [KEY])).toBe(false);
    expect(bearerMatches("Bearer undefined", [KEY])).toBe(false);
    expect(bearerMatches(`Basic ${KEY}`, [KEY])).toBe(false);
    expect(bearerMatches("Bearer signkey-prod-abcdef", [KEY])).toBe(false);
    expect(bearerMatches(`Bearer ${HASHED}`, [])).toBe(false);
    expect(bearerMatches(`Bearer ${HASHED}`, [""])).toBe(false);
  });
});
