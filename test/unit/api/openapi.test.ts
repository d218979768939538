/**
 * The OpenAPI document: 3.1, generated from the route table (every route, its parameters, body
 * and answers), and true to the API: every answer the handlers give in a scenario that calls every
 * route validates against the JSON Schema documented for its status. The validator below covers
 * the JSON Schema keywords `z.toJSONSchema` emits (no validator is a dependency of the project).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type OpenApiDocument, openApiDocument } from "../../../shared/core/api/rest/openapi.js";
import { pathParamNames } from "../../../shared/core/api/rest/route.js";
import { cancellationAnswerSchema, runIdAnswerSchema } from "../../../shared/core/api/rest/schemas.js";
import { makeRun, T0 } from "../../fixtures/records.js";
import {
  type Harness,
  harness,
  newId,
  startedRun,
  storeEvent,
  syncApp,
  waitingOnSignal,
} from "./restHarness.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function resolve(doc: unknown, ref: string): unknown {
  let at: unknown = doc;
  for (const part of ref.replace(/^#\//, "").split("/")) at = isObj(at) ? at[part] : undefined;
  if (at === undefined) throw new Error(`unresolved $ref ${ref}`);
  return at;
}

function typeMatches(type: unknown, v: unknown): boolean {
  switch (type) {
    case "integer":
      return Number.isInteger(v);
    case "number":
      return typeof v === "number";
    case "string":
    case "boolean":
      return typeof v === type;
    case "null":
      return v === null;
    case "array":
      return Array.isArray(v);
    case "object":
      return isObj(v);
    default:
      return false;
  }
}

/** Problems of `value` against `schema` (empty = valid). */
function validate(schema: unknown, value: unknown, doc: unknown, path = "$"): string[] {
  if (schema === true || (isObj(schema) && Object.keys(schema).length === 0)) return [];
  if (!isObj(schema)) return [`${path}: unusable schema ${JSON.stringify(schema)}`];
  const errors: string[] = [];
  const s = schema;
  if (typeof s.$ref === "string") errors.push(...validate(resolve(doc, s.$ref), value, doc, path));
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    if (!types.some((t) => typeMatches(t, value)))
      return [`${path}: expected ${types.join("|")}, got ${JSON.stringify(value)}`];
  }
  if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    errors.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(s.enum)}`);
  }
  if ("const" in s && JSON.stringify(s.const) !== JSON.stringify(value))
    errors.push(`${path}: expected ${JSON.stringify(s.const)}`);
  if (Array.isArray(s.anyOf) && !s.anyOf.some((alt) => validate(alt, value, doc, path).length === 0)) {
    errors.push(`${path}: matches no alternative of anyOf`);
  }
  if (
    Array.isArray(s.oneOf) &&
    s.oneOf.filter((alt) => validate(alt, value, doc, path).length === 0).length !== 1
  ) {
    errors.push(`${path}: does not match exactly one alternative of oneOf`);
  }
  if (Array.isArray(s.allOf)) for (const part of s.allOf) errors.push(...validate(part, value, doc, path));
  if (typeof value === "string") {
    if (typeof s.minLength === "number" && value.length < s.minLength) errors.push(`${path}: too short`);
    if (typeof s.pattern === "string" && !new RegExp(s.pattern, "u").test(value))
      errors.push(`${path}: does not match ${s.pattern}`);
    if (s.format === "date-time" && Number.isNaN(Date.parse(value))) errors.push(`${path}: not a date-time`);
  }
  if (typeof value === "number") {
    if (typeof s.minimum === "number" && value < s.minimum) errors.push(`${path}: below ${s.minimum}`);
    if (typeof s.maximum === "number" && value > s.maximum) errors.push(`${path}: above ${s.maximum}`);
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === "number" && value.length < s.minItems) errors.push(`${path}: too few items`);
    if (s.items !== undefined) {
      for (const [i, item] of value.entries()) errors.push(...validate(s.items, item, doc, `${path}[${i}]`));
    }
  }
  if (isObj(value)) {
    const properties = isObj(s.properties) ? s.properties : {};
    for (const name of Array.isArray(s.required) ? s.required : []) {
      if (typeof name === "string" && !(name in value)) errors.push(`${path}.${name}: required`);
    }
    for (const [key, v] of Object.entries(value)) {
      if (key in properties) errors.push(...validate(properties[key], v, doc, `${path}.${key}`));
      else if (s.additionalProperties === false) errors.push(`${path}.${key}: not allowed`);
      else if (s.additionalProperties !== undefined)
        errors.push(...validate(s.additionalProperties, v, doc, `${path}.${key}`));
    }
  }
  return errors;
}

function operationOf(doc: OpenApiDocument, path: string, method: string): Obj {
  const op = doc.paths[path]?.[method.toLowerCase()];
  if (!isObj(op)) throw new Error(`${method} ${path} is not documented`);
  return op;
}

/** The schema documented for an answer of `status` (throws when that status is not documented). */
function answerSchema(doc: OpenApiDocument, path: string, method: string, status: number): unknown {
  let at: unknown = operationOf(doc, path, method);
  for (const key of ["responses", String(status), "content", "application/json", "schema"]) {
    at = isObj(at) ? at[key] : undefined;
  }
  if (at === undefined) throw new Error(`${method} ${path} documents no ${status} answer`);
  return at;
}

let h: Harness;
let doc: OpenApiDocument;

/** Calls every route of the table, with answers that succeed and answers that fail. */
async function scenario(): Promise<void> {
  await syncApp(h);
  const ev = await storeEvent(h, T0, { name: "test/event" });
  const run = await startedRun(h, ev);
  const done = makeRun({
    runId: newId(T0),
    status: "Completed",
    output: { x: [1, "two", null] },
    endedAt: T0 + 1,
  });
  await h.ports.runs.createRun(done);
  const failed = makeRun({
    runId: newId(T0),
    status: "Failed",
    error: { name: "E", message: "m", code: 7 },
    endedAt: T0 + 2,
  });
  await h.ports.runs.createRun(failed);
  await h.ports.runs.commitTransition(run.runId, 0, {
    steps: [
      {
        runId: run.runId,
        stepId: "s1",
        op: "StepRun",
        value: { error: { name: "E", message: "m" } },
        attempts: 2,
        at: T0 + 9,
      },
    ],
    attempts: [
      {
        runId: run.runId,
        stepId: "step",
        attempt: 0,
        startedAt: T0 + 1,
        endedAt: T0 + 2,
        error: { name: "E", message: "m" },
        version: 0,
      },
    ],
    set: {
      next: [
        {
          job: { runId: run.runId, fnSlug: "app-fn", stepId: "step", attempt: 1, version: 1, partition: "p" },
        },
      ],
    },
    at: T0 + 9,
  });
  const unknown = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
  for (let i = 0; i < 3; i++) await storeEvent(h, T0 + i);
  await h.call("GET", "/v1/events", { query: { limit: "2" } });
  await h.call("GET", "/v1/events", { query: { limit: "nope" } });
  await h.call("GET", `/v1/events/${ev.internalId}`);
  await h.call("GET", `/v1/events/${unknown}`);
  await h.call("GET", `/v1/events/${ev.internalId}/runs`);
  await h.call("GET", "/v1/runs", { query: { limit: "1" } });
  await h.call("GET", "/v1/runs", { query: { status: "bogus" } });
  for (const id of [run.runId, done.runId, failed.runId, unknown]) {
    await h.call("GET", `/v1/runs/${id}`);
    await h.call("GET", `/v1/runs/${id}/jobs`);
  }
  for (const id of [run.runId, done.runId, unknown, "not-a-run"]) {
    await h.call("GET", `/v0/runs/${id}/batch`);
    await h.call("GET", `/v0/runs/${id}/actions`);
  }
  const pendingJob = `${run.runId}-1-step-1`;
  const checkpoint = (stepId: string, qi = pendingJob) => ({
    body: { run_id: run.runId, qi_id: qi, steps: [{ id: stepId, op: "StepRun", data: 1 }] },
  });
  await h.call("POST", `/v1/checkpoint/${run.runId}/async`, checkpoint("c1"));
  await h.call("POST", `/v1/checkpoint/${run.runId}/async`, checkpoint("c2", "gone"));
  await h.call("POST", `/v1/checkpoint/${run.runId}/async`, { body: { steps: [] } });
  await h.call("GET", "/v1/apps/app/functions");
  await h.call("GET", "/v1/apps/nope/functions");
  await h.call("POST", "/v1/events", { body: [{ name: "a/b" }] });
  await h.call("POST", "/v1/events", { body: "{" });
  const metadata = { target: { run_id: run.runId }, metadata: [{ kind: "k", values: { a: 1 } }] };
  await h.call("POST", `/v1/runs/${run.runId}/metadata`, { body: metadata });
  await h.call("POST", `/v1/runs/${unknown}/metadata`, { body: metadata });
  const span = (runId: string) => ({
    spanId: "00f067aa0ba902b7",
    name: "llm",
    startTimeUnixNano: "1",
    endTimeUnixNano: "2",
    attributes: [{ key: "sdk.run.id", value: { stringValue: runId } }],
  });
  const otlp = (runId: string) => ({ resourceSpans: [{ scopeSpans: [{ spans: [span(runId)] }] }] });
  await h.call("POST", "/v1/traces/userland", { body: otlp(run.runId) });
  await h.call("POST", "/v1/traces/userland", { body: otlp(unknown) });
  await h.call("POST", "/v1/traces/userland", {
    body: "x",
    headers: { "content-type": "text/plain" },
  });
  const rerun = await h.call("POST", `/v1/runs/${run.runId}/rerun`, { body: {} });
  await h.call("POST", `/v1/runs/${run.runId}/replay`);
  await h.call("POST", `/v1/runs/${run.runId}/rerun`, { body: { from_step_id: "nope" } });
  const window = { from: new Date(T0 - 1).toISOString(), until: new Date(T0 + 1000).toISOString() };
  await h.call("POST", "/v1/replays", { body: { function_id: "app-fn", ...window } });
  await h.call("POST", "/v1/replays", { body: { function_id: "app-missing", ...window } });
  await h.call("DELETE", `/v1/runs/${runIdAnswerSchema.parse(rerun.body).data.run_id}`);
  await h.call("DELETE", `/v1/runs/${unknown}`);
  const cancelWindow = { started_after: window.from, started_before: window.until };
  const cancellation = await h.call("POST", "/v1/cancellations", {
    body: { app_id: "app", function_id: "app-fn", ...cancelWindow, if: "event.data.x == 1" },
  });
  await h.call("POST", "/v1/cancellations", {
    body: { app_id: "app", function_id: "nope", ...cancelWindow },
  });
  await h.call("GET", "/v1/cancellations", { query: { limit: "1" } });
  await h.call("DELETE", `/v1/cancellations/${cancellationAnswerSchema.parse(cancellation.body).data.id}`);
  await h.call("DELETE", `/v1/cancellations/${unknown}`);
  await waitingOnSignal(h, "sig");
  await h.call("POST", "/v1/signals", { body: { signal: "sig", data: { a: 1 } } });
  await h.call("POST", "/v1/signals", { body: { signal: "nobody" } });
  await h.call("GET", "/v1/openapi.json");
}

beforeAll(async () => {
  h = harness();
  doc = openApiDocument(h.routes, "test");
  await scenario();
});

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1 with the signing key as bearer security scheme", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.components.securitySchemes.signingKey).toMatchObject({ type: "http", scheme: "bearer" });
  });

  it("documents every route of the table with its path and query parameters and its security", () => {
    const operationIds = new Set<string>();
    for (const r of h.routes) {
      const op = operationOf(doc, r.path, r.method);
      operationIds.add(String(op.operationId));
      const params = Array.isArray(op.parameters) ? op.parameters.filter(isObj) : [];
      expect(params.filter((p) => p.in === "path").map((p) => p.name)).toEqual(pathParamNames(r.path));
      expect(params.filter((p) => p.in === "query").map((p) => p.name)).toEqual(
        Object.keys(r.query?.shape ?? {}),
      );
      expect(op.security).toEqual(r.auth === "key" ? [{ signingKey: [] }] : []);
      if (r.auth === "key") expect(answerSchema(doc, r.path, r.method, 401)).toBeDefined();
    }
    expect(operationIds.size).toBe(h.routes.length);
    const documented = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
    expect(documented).toBe(h.routes.length);
  });

  it("documents request bodies: optional where an empty body is accepted", () => {
    expect(operationOf(doc, "/v1/runs/{runId}/rerun", "POST").requestBody).toMatchObject({
      required: false,
      content: { "application/json": { schema: { $ref: "#/components/schemas/RerunRequest" } } },
    });
    expect(operationOf(doc, "/v1/replays", "POST").requestBody).toMatchObject({ required: true });
    expect(operationOf(doc, "/v1/events", "POST").requestBody).toMatchObject({ required: true });
  });

  it("resolves every $ref to a component schema", () => {
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) expect(() => resolve(doc, ref.slice(8, -1))).not.toThrow();
  });

  it("validates every answer the handlers gave, and each route gave a 2xx one", () => {
    const problems: string[] = [];
    for (const { route, status, body } of h.recorded) {
      const schema = answerSchema(doc, route.path, route.method, status);
      for (const p of validate(schema, body, doc))
        problems.push(`${route.method} ${route.path} ${status}: ${p}`);
    }
    expect(problems).toEqual([]);
    const succeeded = new Set(h.recorded.filter((a) => a.status < 300).map((a) => a.route));
    expect(h.routes.filter((r) => !succeeded.has(r)).map((r) => `${r.method} ${r.path}`)).toEqual([]);
    expect(new Set(h.recorded.map((a) => a.status))).toEqual(new Set([200, 400, 404, 409, 415]));
  });

  it("has a validator that refuses answers the schemas do not describe", () => {
    const schema = answerSchema(doc, "/v1/runs/{runId}", "GET", 200);
    const good = h.recorded.find((a) => a.route.path === "/v1/runs/{runId}" && a.status === 200)?.body;
    expect(validate(schema, good, doc)).toEqual([]);
    if (!isObj(good) || !isObj(good.data)) throw new Error("no run answer recorded");
    expect(validate(schema, { ...good, extra: 1 }, doc)).not.toEqual([]);
    expect(validate(schema, { ...good, data: { ...good.data, status: "Sleeping" } }, doc)).not.toEqual([]);
    expect(validate(schema, { ...good, data: { ...good.data, ended_at: 5 } }, doc)).not.toEqual([]);
    const { batch_id: _dropped, ...missing } = good.data;
    expect(validate(schema, { ...good, data: missing }, doc)).not.toEqual([]);
  });

  it("is served at GET /v1/openapi.json", async () => {
    const res = await h.call("GET", "/v1/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body).toEqual(JSON.parse(JSON.stringify(doc)));
  });
});
