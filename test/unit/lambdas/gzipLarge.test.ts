import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { acceptsGzip, GZIP_ABOVE_BYTES, gzipLarge, json } from "../../../lambdas/middleware.js";

/** A JSON answer whose body is exactly `bytes` long. */
function answerOf(bytes: number) {
  const body = json(200, "x".repeat(bytes - 2)); // the quotes make up the rest
  expect(Buffer.byteLength(body.body ?? "")).toBe(bytes);
  return body;
}

describe("gzipping large API answers", () => {
  it("leaves an answer of exactly the threshold as it is, and gzips one a byte larger", () => {
    expect(gzipLarge(answerOf(GZIP_ABOVE_BYTES), "gzip, deflate").isBase64Encoded).toBeUndefined();
    const zipped = gzipLarge(answerOf(GZIP_ABOVE_BYTES + 1), "gzip, deflate");
    expect(zipped).toMatchObject({ isBase64Encoded: true, headers: { "content-encoding": "gzip" } });
    expect(gunzipSync(Buffer.from(zipped.body ?? "", "base64")).toString()).toBe(
      answerOf(GZIP_ABOVE_BYTES + 1).body,
    );
  });

  it("sends a large answer plain to a client that does not accept gzip", () => {
    const plain = answerOf(GZIP_ABOVE_BYTES + 1);
    expect(gzipLarge(plain, undefined)).toBe(plain);
    expect(gzipLarge(plain, "br, deflate")).toBe(plain);
  });
});

describe("reading Accept-Encoding", () => {
  it.each([
    ["gzip", true],
    ["gzip, deflate, br", true],
    ["br;q=1.0, GZIP;q=0.5", true],
    ["*", true],
    ["gzip;q=0", false],
    ["gzip;q=0.0, deflate", false],
    ["x-gzip-ish", false],
    ["", false],
  ])("%j allows gzip: %s", (header, allowed) => {
    expect(acceptsGzip(header)).toBe(allowed);
  });
});
