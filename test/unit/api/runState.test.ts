/**
 * The run state endpoints the SDK reads under `use_api` (PROTOCOL 4.7), over the memory ports:
 * `GET /v0/runs/{runId}/batch` and `/actions` answer exactly the `events` and `steps` the
 * execution request would hold (`buildSdkRequest`), bare (no envelope); 400 for an id that is not a
 * ULID, 404 for an unknown run; and, through the API Lambda in cloud mode, 401 without the key.
 */
import { createHash } from "node:crypto";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { runActionsAnswerSchema, runBatchAnswerSchema } from "../../../shared/core/api/rest/schemas.js";
import { buildSdkRequest } from "../../../shared/core/engine/sdkRequest.js";
import type { Job, RunRecord, StepRecord } from "../../../shared/domain/schemas.js";
import { LIMITS } from "../../../shared/protocol/constants.js";
import { hashedSigningKey } from "../../../shared/protocol/signature.js";
import { resourceEnvNames } from "../../../shared/resources.js";
import { filler, makeEvent, makeFunction, makeRun, makeStep, T0 } from "../../fixtures/records.js";
import { httpApiEvent } from "../../helpers/httpApiEvent.js";
import { type Harness, harness, newId } from "./restHarness.js";

const UNKNOWN = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
const PATHS = ["batch", "actions"] as const;
let h: Harness;

beforeEach(() => {
  h = harness();
});

/** A running run with `steps` committed (one transition, as the engine writes them). */
async function runWith(steps: (runId: string) => StepRecord[], over: Partial<RunRecord> = {}) {
  const run = makeRun({ runId: newId(T0), startedAt: T0, ...over });
  await h.ports.runs.createRun(run);
  const stored = steps(run.runId);
  if (stored.length > 0) {
    const ok = await h.ports.runs.commitTransition(run.runId, 0, {
      steps: stored,
      set: { stack: stored.map((s) => s.stepId) },
      at: T0 + 1,
    });
    expect(ok).toBe(true);
  }
  return run;
}

/** What the execution request for the run's next job would carry in `events` and `steps`. */
async function requestOf(runId: string): Promise<{ events: unknown; steps: unknown }> {
  const state = await h.ports.runs.getRunState(runId);
  if (!state) throw new Error(`run ${runId} not stored`);
  const job: Job = { runId, fnSlug: "app-fn", stepId: "step", attempt: 0, version: 1, partition: "p" };
  const body = buildSdkRequest(state.run, state.steps, job, makeFunction("app", "fn"));
  // Through JSON, as both the request and the answers travel.
  const { events, steps } = JSON.parse(JSON.stringify(body)) as { events: unknown; steps: unknown };
  return { events, steps };
}

const get = (runId: string, what: (typeof PATHS)[number]) => h.call("GET", `/v0/runs/${runId}/${what}`);

describe("GET /v0/runs/{runId}/batch and /actions", () => {
  it("answer exactly the events and steps of the execution request", async () => {
    const events = [
      makeEvent({ name: "test/event", data: { n: 1, nested: { a: [1, "two", null] } }, v: "2" }),
      makeEvent({ name: "test/event", data: {}, meta: { sessions: { s: "1" } } }),
    ];
    const run = await runWith(
      (runId) => [
        makeStep(runId, "a1b2c3", { data: { ok: true, list: [1, 2] } }),
        makeStep(runId, "d4e5f6", { data: null }),
        makeStep(runId, "0f0f0f", { error: { name: "Error", message: "boom", stack: "at x" } }),
        makeStep(runId, "abcdef", { input: [{ prompt: "hi" }] }),
        { ...makeStep(runId, "123456", null), op: "Sleep" },
        makeStep(runId, "fedcba", "a bare string"),
      ],
      { events },
    );
    const expected = await requestOf(run.runId);
    const batch = await get(run.runId, "batch");
    expect(batch.status).toBe(200);
    expect(batch.body).toEqual(expected.events);
    expect(runBatchAnswerSchema.parse(batch.body)).toHaveLength(2);
    const actions = await get(run.runId, "actions");
    expect(actions.status).toBe(200);
    expect(actions.body).toEqual(expected.steps);
    expect(Object.keys(runActionsAnswerSchema.parse(actions.body)).sort()).toEqual(
      ["0f0f0f", "123456", "a1b2c3", "abcdef", "d4e5f6", "fedcba"].sort(),
    );
    expect(actions.body).toMatchObject({ "123456": null, fedcba: "a bare string" });
  });

  it("answer a new run's single event and no steps", async () => {
    const run = await runWith(() => []);
    const expected = await requestOf(run.runId);
    expect((await get(run.runId, "batch")).body).toEqual(expected.events);
    expect((await get(run.runId, "batch")).body).toEqual([JSON.parse(JSON.stringify(run.events[0]))]);
    expect((await get(run.runId, "actions")).body).toEqual({});
  });

  it("answer every step of a state larger than an execution request may be", async () => {
    const chunk = 900 * 1024;
    const ids = ["s1", "s2", "s3", "s4", "s5", "s6"];
    const run = await runWith((runId) =>
      ids.map((id, i) => makeStep(runId, id, { data: filler(chunk, String(i)) })),
    );
    const res = await get(run.runId, "actions");
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body).length).toBeGreaterThan(LIMITS.sdkRequestMaxBytes);
    expect(res.body).toEqual(
      Object.fromEntries(ids.map((id, i) => [id, { data: filler(chunk, String(i)) }])),
    );
  });

  it("answer an ended run's state too (the SDK may still be finishing)", async () => {
    const run = await runWith((runId) => [makeStep(runId, "a1", { data: 1 })], {
      status: "Completed",
      output: 1,
      endedAt: T0 + 2,
    });
    expect((await get(run.runId, "actions")).body).toEqual({ a1: { data: 1 } });
    expect((await get(run.runId, "batch")).status).toBe(200);
  });

  it.each(PATHS)("/%s answers 404 for an unknown run", async (what) => {
    const res = await get(UNKNOWN, what);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ status: 404, error: `run ${UNKNOWN} not found` });
  });

  it.each(PATHS)("/%s answers 400 for a run id that is not a ULID", async (what) => {
    for (const id of ["not-a-run", "01ARZ3NDEKTSV4RRFFQ69G5FA", "01ARZ3NDEKTSV4RRFFQ69G5FAVX", "%ZZ"]) {
      const res = await get(id, what);
      expect(res.status, id).toBe(400);
      expect(res.body).toMatchObject({ status: 400, error: expect.any(String) });
    }
  });

  it("need the key (they are key routes, documented with their answers)", async () => {
    for (const what of PATHS) {
      const r = h.routes.find((x) => x.path === `/v0/runs/{runId}/${what}`);
      expect(r?.method).toBe("GET");
      expect(r?.auth).toBe("key");
      expect(Object.keys(r?.doc.responses ?? {})).toEqual(["200"]);
      expect(r?.doc.errors).toEqual([400, 404]);
    }
    expect((await h.call("POST", `/v0/runs/${UNKNOWN}/actions`)).status).toBe(405);
  });
});

describe("the run state endpoints through the API Lambda in cloud mode", () => {
  const SIGNING_KEY = `signkey-test-${"cd".repeat(32)}`;
  const API_KEY = "tl-dashboard-key-run-state";
  let handler: (
    event: APIGatewayProxyEventV2,
    context: Context,
  ) => Promise<APIGatewayProxyStructuredResultV2>;

  beforeAll(async () => {
    for (const name of resourceEnvNames()) vi.stubEnv(name, `test-${name.toLowerCase()}`);
    vi.stubEnv("TIDELINE_MODE", "cloud");
    vi.stubEnv("TIDELINE_SIGNING_KEY", SIGNING_KEY);
    vi.stubEnv("TIDELINE_SIGNING_KEY_SECRET_ARN", "");
    vi.stubEnv("TIDELINE_API_KEY_HASHES", createHash("sha256").update(API_KEY).digest("hex"));
    vi.stubEnv("AWS_REGION", "us-east-1");
    const api = await import("../../../lambdas/api.js");
    handler = (event, context) => api.handler(event, context);
  });

  afterAll(() => {
    vi.unstubAllEnvs();
  });

  const context = {
    functionName: "api",
    awsRequestId: "req",
    getRemainingTimeInMillis: () => 29_000,
  } as unknown as Context;

  function request(path: string, authorization?: string) {
    return handler(httpApiEvent("GET", path, authorization ? { authorization } : {}), context);
  }
  const bodyOf = (res: APIGatewayProxyStructuredResultV2): unknown => JSON.parse(res.body ?? "null");

  it.each(PATHS)("/%s answers 401 without a bearer or with a wrong one", async (what) => {
    const path = `/v0/runs/${UNKNOWN}/${what}`;
    const missing = await request(path);
    expect(missing.statusCode).toBe(401);
    expect(bodyOf(missing)).toEqual({ status: 401, error: expect.stringContaining("signing key") });
    for (const wrong of [
      `Bearer ${hashedSigningKey(`signkey-test-${"ef".repeat(32)}`)}`,
      `Bearer ${API_KEY}x`,
      "Bearer",
      "Basic abc",
    ]) {
      const res = await request(path, wrong);
      expect(res.statusCode, wrong).toBe(401);
      expect(bodyOf(res)).toMatchObject({ status: 401, error: expect.any(String) });
    }
  });

  it.each(PATHS)(
    "/%s lets the SDK's hashed signing key, the plain key and an API key through",
    async (what) => {
      // A malformed id stops at the handler's 400 (past auth) without reaching a store.
      const path = `/v0/runs/not-a-run/${what}`;
      for (const bearer of [hashedSigningKey(SIGNING_KEY), SIGNING_KEY, API_KEY]) {
        const res = await request(path, `Bearer ${bearer}`);
        expect(res.statusCode, bearer).toBe(400);
        expect(bodyOf(res)).toMatchObject({ status: 400, error: expect.stringContaining("not a ULID") });
      }
    },
  );
});
