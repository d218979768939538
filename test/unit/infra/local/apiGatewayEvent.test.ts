import { describe, expect, it } from "vitest";
import { fromResult } from "../../../../infra/local/apiGatewayEvent.js";

describe("fromResult: structured results", () => {
  it("maps status, headers, cookies and body field by field", () => {
    const out = fromResult({
      statusCode: 201,
      headers: { "Content-Type": "text/plain", "X-Count": 5, "X-Flag": true },
      cookies: ["a=1", "b=2; Path=/"],
      body: "created",
    });
    expect(out.statusCode).toBe(201);
    expect(out.headers).toEqual({
      "content-type": "text/plain",
      "x-count": "5",
      "x-flag": "true",
      "set-cookie": ["a=1", "b=2; Path=/"],
    });
    expect(out.body.toString("utf8")).toBe("created");
  });

  it("decodes a base64 body", () => {
    const out = fromResult({
      statusCode: 200,
      body: Buffer.from([0, 1, 2, 255]).toString("base64"),
      isBase64Encoded: true,
    });
    expect([...out.body]).toEqual([0, 1, 2, 255]);
  });

  it("gives an empty body and no headers when the result has none", () => {
    const out = fromResult({ statusCode: 204 });
    expect(out).toEqual({ statusCode: 204, headers: {}, body: Buffer.alloc(0) });
  });

  it("passes a structured body through as text, not JSON-encoded again", () => {
    expect(fromResult({ statusCode: 400, body: '{"error":"bad"}' }).body.toString()).toBe('{"error":"bad"}');
  });

  it("sets no set-cookie header for an empty cookie list", () => {
    expect(fromResult({ statusCode: 200, cookies: [] }).headers).toEqual({});
  });
});

describe("fromResult: simple results", () => {
  it("takes a plain object without statusCode as a 200 JSON body", () => {
    expect(fromResult({ ok: true, ids: [1, 2] })).toEqual({
      statusCode: 200,
      headers: { "content-type": "application/json" },
      body: Buffer.from('{"ok":true,"ids":[1,2]}'),
    });
  });

  it("sends a string result as it is, not JSON-quoted", () => {
    const out = fromResult("hello");
    expect(out.statusCode).toBe(200);
    expect(out.headers).toEqual({ "content-type": "application/json" });
    expect(out.body.toString()).toBe("hello");
  });

  it("sends null for a handler that returned nothing", () => {
    expect(fromResult(undefined).body.toString()).toBe("null");
    expect(fromResult(null).body.toString()).toBe("null");
  });

  it("encodes arrays and numbers as JSON", () => {
    expect(fromResult([1, "a"]).body.toString()).toBe('[1,"a"]');
    expect(fromResult(42).body.toString()).toBe("42");
  });

  it("answers 500, as API Gateway does, for a result with a statusCode but a body that is not text", () => {
    const r = fromResult({ statusCode: 404, body: { error: "x" } });
    expect(r.statusCode).toBe(500);
    expect(JSON.parse(r.body.toString())).toEqual({ message: "Internal Server Error" });
    expect(fromResult({ statusCode: "404" }).statusCode).toBe(500);
  });
});
