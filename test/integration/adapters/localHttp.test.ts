import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalHttpServer, startHttpServer } from "../../../infra/local/http.js";
import { silentLogger } from "../../../infra/local/log.js";

// A stub handler is fine here: this tests our own API Gateway emulation, not AWS.
interface Call {
  fn: "eventApi" | "api";
  event: APIGatewayProxyEventV2;
  context: Context;
}
const calls: Call[] = [];
let reply: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyResultV2 | undefined> = async () => ({
  statusCode: 200,
  body: "ok",
});
let server: LocalHttpServer;
let base: string;
let stopping = false;

beforeAll(async () => {
  // The manifest's routes (POST /e/{eventKey} → eventApi, $default → api) with recording handlers.
  server = await startHttpServer({
    port: 0,
    log: silentLogger,
    stopping: () => stopping,
    handlers: {
      get: (name) => async (event: APIGatewayProxyEventV2, context: Context) => {
        calls.push({ fn: name === "eventApi" ? "eventApi" : "api", event, context });
        return reply(event);
      },
    },
  });
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server?.close();
});

const lastCall = () => calls.at(-1);

describe("local HTTP API while the runtime stops", () => {
  it("refuses new events and every other route with 503, and still serves checkpoints and run state", async () => {
    stopping = true;
    try {
      const before = calls.length;
      const refused = await Promise.all([
        fetch(`${base}/e/key`, { method: "POST", body: "{}" }),
        fetch(`${base}/v1/events`, { method: "POST", body: "[]" }),
        fetch(`${base}/v1/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV/rerun`, { method: "POST", body: "{}" }),
      ]);
      expect(refused.map((r) => r.status)).toEqual([503, 503, 503]);
      expect(calls.length).toBe(before);

      const served = await Promise.all([
        fetch(`${base}/v1/checkpoint/01ARZ3NDEKTSV4RRFFQ69G5FAV/async`, { method: "POST", body: "{}" }),
        fetch(`${base}/v0/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV/actions`),
      ]);
      expect(served.map((r) => r.status)).toEqual([200, 200]);
      expect(calls.length).toBe(before + 2);
    } finally {
      stopping = false;
    }
  });
});

describe("local HTTP API (payload format 2.0)", () => {
  it("routes POST /e/{eventKey} to the event API with a complete v2 event", async () => {
    const res = await fetch(`${base}/e/key%2F1?x=1&x=2&y=z`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Custom": "a", Cookie: "a=1; b=2" },
      body: JSON.stringify({ name: "demo/e" }),
    });

    expect(res.status).toBe(200);
    const call = lastCall();
    expect(call?.fn).toBe("eventApi");
    const e = call?.event;
    expect(e).toMatchObject({
      version: "2.0",
      routeKey: "POST /e/{eventKey}",
      rawPath: "/e/key%2F1",
      rawQueryString: "x=1&x=2&y=z",
      cookies: ["a=1", "b=2"],
      queryStringParameters: { x: "1,2", y: "z" },
      pathParameters: { eventKey: "key/1" },
      body: '{"name":"demo/e"}',
      isBase64Encoded: false,
      requestContext: {
        http: { method: "POST", path: "/e/key%2F1", sourceIp: "127.0.0.1" },
        routeKey: "POST /e/{eventKey}",
        stage: "$default",
      },
    });
    expect(e?.headers["content-type"]).toBe("application/json");
    expect(e?.headers["x-custom"]).toBe("a");
    expect(e?.headers.cookie).toBeUndefined();
    expect(call?.context.functionName).toBe("event-api");
    expect(call?.context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(call?.context.getRemainingTimeInMillis()).toBeGreaterThan(0);
  });

  it("sends every other route to the api handler as $default without a body", async () => {
    await fetch(`${base}/v1/events/abc/runs`);

    const call = lastCall();
    expect(call?.fn).toBe("api");
    expect(call?.event.routeKey).toBe("$default");
    expect(call?.event.rawQueryString).toBe("");
    expect(call?.event.queryStringParameters).toBeUndefined();
    expect(call?.event.pathParameters).toBeUndefined();
    expect(call?.event.body).toBeUndefined();
    expect(call?.event.isBase64Encoded).toBe(false);
    await fetch(`${base}/e/key`); // GET on the event path is not the event route
    expect(lastCall()?.fn).toBe("api");
  });

  it("passes a binary body as base64", async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    await fetch(`${base}/upload`, {
      method: "PUT",
      headers: { "content-type": "application/octet-stream" },
      body: bytes,
    });

    const e = lastCall()?.event;
    expect(e?.isBase64Encoded).toBe(true);
    expect(Buffer.from(e?.body ?? "", "base64")).toEqual(bytes);
  });

  it("maps status, headers, cookies and a base64 body of a structured result", async () => {
    reply = async () => ({
      statusCode: 201,
      headers: { "X-Answer": 42, "content-type": "image/png" },
      cookies: ["s=1; Path=/", "t=2"],
      body: Buffer.from([137, 80, 78, 71]).toString("base64"),
      isBase64Encoded: true,
    });

    const res = await fetch(`${base}/any`);

    expect(res.status).toBe(201);
    expect(res.headers.get("x-answer")).toBe("42");
    expect(res.headers.getSetCookie()).toEqual(["s=1; Path=/", "t=2"]);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(Buffer.from([137, 80, 78, 71]));
  });

  it("answers a plain string or object result as a 200 JSON body", async () => {
    reply = async () => ({ hello: "world" }) as unknown as APIGatewayProxyResultV2;
    const res = await fetch(`${base}/simple`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual({ hello: "world" });
  });

  it("answers 500 like API Gateway when the handler throws", async () => {
    reply = async () => {
      throw new Error("boom");
    };
    const res = await fetch(`${base}/x`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ message: "Internal Server Error" });
  });

  it("rejects a body over 10 MB with 413 without calling a handler", async () => {
    const before = calls.length;
    const res = await fetch(`${base}/e/k`, { method: "POST", body: Buffer.alloc(10 * 1024 * 1024 + 1, 97) });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ message: "Request Entity Too Large" });
    expect(calls.length).toBe(before);
  });

  it("serves the same port on ::1 when the machine has IPv6 loopback", async () => {
    reply = async () => ({ statusCode: 204 });
    if (!server.hosts.includes("::1")) {
      expect(server.hosts).toEqual(["127.0.0.1"]);
      return;
    }
    const res = await fetch(`http://[::1]:${server.port}/ping`);
    expect(res.status).toBe(204);
  });
});
