/**
 * The API Lambda in cloud mode, loaded with a configuration but no AWS behind it: every "key"
 * route refuses a missing or wrong bearer with a 401 and a reason (before anything reaches a
 * store), a right key gets past auth, and /v1/openapi.json documents exactly the route table.
 */

import { createHash } from "node:crypto";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { ApiRoute } from "../../../shared/core/api/rest/route.js";
import { hashedSigningKey } from "../../../shared/protocol/signature.js";
import { resourceEnvNames } from "../../../shared/resources.js";
import { httpApiEvent } from "../../helpers/httpApiEvent.js";

const SIGNING_KEY = `signkey-test-${"ab".repeat(32)}`;
const API_KEY = "tl-dashboard-key-1";
const RUN_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

let routes: readonly ApiRoute[];
let handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

beforeAll(async () => {
  for (const name of resourceEnvNames()) vi.stubEnv(name, `test-${name.toLowerCase()}`);
  vi.stubEnv("TIDELINE_MODE", "cloud");
  vi.stubEnv("TIDELINE_SIGNING_KEY", SIGNING_KEY);
  vi.stubEnv("TIDELINE_SIGNING_KEY_SECRET_ARN", "");
  vi.stubEnv("TIDELINE_API_KEY_HASHES", createHash("sha256").update(API_KEY).digest("hex").toUpperCase());
  vi.stubEnv("AWS_REGION", "us-east-1");
  const api = await import("../../../lambdas/api.js");
  routes = api.routes;
  handler = (event, context) => api.handler(event, context);
});

const context: Context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: "api",
  functionVersion: "1",
  invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:api",
  memoryLimitInMB: "512",
  awsRequestId: "req",
  logGroupName: "g",
  logStreamName: "s",
  getRemainingTimeInMillis: () => 29_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
};

function request(method: string, path: string, opts: { authorization?: string; body?: string } = {}) {
  return handler(httpApiEvent(method, path, opts), context);
}

const concrete = (path: string) => path.replace(/\{[^}]+\}/g, RUN_ID);
const bodyOf = (res: APIGatewayProxyStructuredResultV2): unknown => JSON.parse(res.body ?? "null");

describe("the API Lambda in cloud mode", () => {
  it("leaves open only /health, the OpenAPI document and the SDK register route (it checks the key itself)", () => {
    const open = routes.filter((r) => r.auth !== "key").map((r) => `${r.method} ${r.path}`);
    expect(open.sort()).toEqual(["GET /health", "GET /v1/openapi.json", "POST /fn/register"]);
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        "POST /v1/signals",
        "POST /v1/cancellations",
        "GET /v1/cancellations",
        "DELETE /v1/cancellations/{cancellationId}",
      ]),
    );
  });

  it("answers 401 with a reason on every key route without a bearer or with a wrong one", async () => {
    const keyRoutes = routes.filter((r) => r.auth === "key");
    expect(keyRoutes.length).toBeGreaterThan(10);
    for (const r of keyRoutes) {
      for (const authorization of [undefined, "Bearer signkey-test-00", "Basic abc"]) {
        const res = await request(r.method, concrete(r.path), {
          body: "{}",
          ...(authorization ? { authorization } : {}),
        });
        expect(res.statusCode, `${r.method} ${r.path} with ${authorization}`).toBe(401);
        expect(bodyOf(res)).toEqual({ status: 401, error: expect.stringContaining("signing key") });
      }
    }
  });

  it("lets the signing key through (hashed too) to the route's own answers", async () => {
    const bearer = `Bearer ${SIGNING_KEY}`;
    expect((await request("GET", "/v1/runs/not-a-run", { authorization: bearer })).statusCode).toBe(404);
    const hashed = `Bearer ${hashedSigningKey(SIGNING_KEY)}`;
    expect((await request("GET", "/v1/events/not-an-event", { authorization: hashed })).statusCode).toBe(404);
    const rerun = await request("POST", `/v1/runs/${RUN_ID}/rerun`, {
      authorization: bearer,
      body: '{"from_step_id":5}',
    });
    expect(rerun.statusCode).toBe(400);
    expect(bodyOf(rerun)).toMatchObject({ status: 400, error: expect.stringContaining("from_step_id") });
    expect((await request("GET", "/v1/runs/%ZZ", { authorization: bearer })).statusCode).toBe(400);
  });

  it("lets a configured API key through, and names what a wrong bearer is not", async () => {
    const ok = await request("GET", "/v1/runs/not-a-run", { authorization: `Bearer ${API_KEY}` });
    expect(ok.statusCode).toBe(404);
    const gql = await request("POST", "/v0/gql", { authorization: `bearer ${API_KEY}`, body: "{" });
    expect(gql.statusCode).toBe(400);
    const wrong = await request("GET", "/v1/runs/not-a-run", { authorization: `Bearer ${API_KEY}x` });
    expect(wrong.statusCode).toBe(401);
    expect(bodyOf(wrong)).toMatchObject({
      error: "The bearer token is neither the signing key nor an API key",
    });
  });

  it("answers the SDK's shape when /fn/register is called without the key or with a wrong one", async () => {
    for (const authorization of [undefined, `Bearer ${"0".repeat(64)}`]) {
      const res = await request("POST", "/fn/register", {
        body: "{}",
        ...(authorization ? { authorization } : {}),
      });
      expect(res.statusCode).toBe(401);
      expect(bodyOf(res)).toMatchObject({ status: 401, code: "unauthorized" });
    }
  });

  it("answers 405 for a known path with another method and 404 for an unknown path", async () => {
    expect((await request("PUT", "/v1/events")).statusCode).toBe(405);
    expect((await request("GET", "/v2/nothing")).statusCode).toBe(404);
    expect((await request("GET", "/health")).statusCode).toBe(200);
  });

  it("serves an OpenAPI 3.1 document of exactly the route table, without auth", async () => {
    const res = await request("GET", "/v1/openapi.json");
    expect(res.statusCode).toBe(200);
    const doc = bodyOf(res);
    if (typeof doc !== "object" || doc === null || !("paths" in doc) || !("openapi" in doc))
      throw new Error("no doc");
    expect(doc.openapi).toBe("3.1.0");
    const documented = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
      Object.keys(item ?? {}).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
    for (const path of ["/v0/gql", "/v1/runs/{runId}/metadata", "/v1/replays", "/v1/events/{eventId}/runs"]) {
      expect(documented.some((d) => d.endsWith(` ${path}`))).toBe(true);
    }
  });
});
