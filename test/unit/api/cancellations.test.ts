/** Bulk cancellations through REST v1 (POST/GET /v1/cancellations, DELETE /v1/cancellations/{id}). */
import { beforeEach, describe, expect, it } from "vitest";
import { cancellationAnswerSchema, cancellationListSchema } from "../../../shared/core/api/rest/schemas.js";
import { deliverTimer } from "../../../shared/core/scheduling/timerKinds.js";
import { makeFunction, makeRun, T0 } from "../../fixtures/records.js";
import { type Harness, harness, newId, syncApp } from "./restHarness.js";

const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
let h: Harness;

beforeEach(async () => {
  h = harness(); // the clock reads T0 + 1 min
  await syncApp(h);
});

const window = { started_after: iso(T0 - MIN), started_before: iso(T0 + MIN) };

async function create(body: object) {
  return h.call("POST", "/v1/cancellations", { body });
}

describe("POST /v1/cancellations", () => {
  it("stores the cancellation, answers it and schedules its timer for now", async () => {
    const res = await create({ app_id: "app", function_id: "app-fn", ...window, if: "event.data.x == 1" });
    expect(res.status).toBe(200);
    const { data, metadata } = cancellationAnswerSchema.parse(res.body);
    expect(data).toEqual({
      id: expect.stringMatching(/^[0-9A-Z]{26}$/),
      environment_id: "local",
      app_id: "app",
      function_id: "app-fn",
      function_internal_id: "uuid-app-fn",
      started_after: window.started_after,
      started_before: window.started_before,
      if: "event.data.x == 1",
      created_at: iso(T0 + MIN),
    });
    expect(metadata.fetched_at).toBe(iso(T0 + MIN));
    expect(await h.ports.cancellations.get(data.id)).toEqual({
      id: data.id,
      appId: "app",
      fnSlug: "app-fn",
      fnInternalId: "uuid-app-fn",
      startedAfter: T0 - MIN,
      startedBefore: T0 + MIN,
      if: "event.data.x == 1",
      createdAt: T0 + MIN,
    });
    expect(h.ports.timers.pending()).toEqual([
      { item: { kind: "cancellation", cancellationId: data.id }, dueAt: T0 + MIN },
    ]);
  });

  it("takes the function's id within the app as well as its slug, and an open start", async () => {
    const res = await create({ app_id: "app", function_id: "fn", started_before: iso(T0) });
    expect(res.status).toBe(200);
    const { data } = cancellationAnswerSchema.parse(res.body);
    expect(data).toMatchObject({ function_id: "app-fn", started_after: null, if: null });
  });

  it("cancels the runs in its window once its timer is delivered", async () => {
    const inside = makeRun({ runId: newId(T0), startedAt: T0 });
    const outside = makeRun({ runId: newId(T0 - 2 * MIN), startedAt: T0 - 2 * MIN });
    await h.ports.runs.createRun(inside);
    await h.ports.runs.createRun(outside);
    expect((await create({ app_id: "app", function_id: "app-fn", ...window })).status).toBe(200);
    for (const { item } of h.ports.timers.takeDue(T0 + MIN)) await deliverTimer(h.ports, item);
    expect((await h.ports.runs.getRun(inside.runId))?.status).toBe("Cancelled");
    expect((await h.ports.runs.getRun(outside.runId))?.status).toBe("Running");
  });

  it("answers 404 for an unknown app or function, or a function of another app", async () => {
    const fn = makeFunction("elsewhere", "fn", ["x/y"]);
    await h.ports.registry.putAppSync(
      {
        appId: "elsewhere",
        url: "u",
        sdk: "js",
        functionSlugs: [fn.slug],
        checksum: "c",
        createdAt: T0,
        updatedAt: T0,
      },
      [fn],
    );
    for (const [app_id, function_id] of [
      ["nope", "app-fn"],
      ["app", "missing"],
      ["app", "elsewhere-fn"],
    ]) {
      const res = await create({ app_id, function_id, ...window });
      expect(res.status, `${app_id} ${function_id}`).toBe(404);
    }
    expect(h.ports.timers.pending()).toEqual([]);
  });

  it("answers 400 for a window that ends before it starts, a bad `if`, a bad time or a missing field", async () => {
    const bad: [object, string][] = [
      [
        { started_after: iso(T0 + MIN), started_before: iso(T0) },
        "started_after must not be later than started_before",
      ],
      [{ ...window, if: "event.data.x ==" }, "if:"],
      [{ started_before: "yesterday" }, "started_before: must be an RFC 3339 time"],
      [{ started_after: "nope", started_before: iso(T0) }, "started_after: must be an RFC 3339 time"],
      [{ started_after: iso(T0) }, "started_before"],
    ];
    for (const [fields, message] of bad) {
      const res = await create({ app_id: "app", function_id: "app-fn", ...fields });
      expect(res.status, JSON.stringify(fields)).toBe(400);
      expect(JSON.stringify(res.body)).toContain(message);
    }
    expect((await create({ function_id: "app-fn", ...window })).status).toBe(400);
    expect(h.ports.timers.pending()).toEqual([]);
  });
});

describe("GET /v1/cancellations", () => {
  it("lists cancellations newest first, a page at a time", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      h.ports.clock.advance(1000);
      const res = await create({ app_id: "app", function_id: "app-fn", ...window });
      ids.push(cancellationAnswerSchema.parse(res.body).data.id);
    }
    const first = cancellationListSchema.parse(
      (await h.call("GET", "/v1/cancellations", { query: { limit: "2" } })).body,
    );
    expect(first.data.map((c) => c.id)).toEqual([ids[2], ids[1]]);
    expect(first.cursor).toBeDefined();
    const second = cancellationListSchema.parse(
      (await h.call("GET", "/v1/cancellations", { query: { limit: "2", cursor: first.cursor ?? "" } })).body,
    );
    expect(second.data.map((c) => c.id)).toEqual([ids[0]]);
    expect(second.cursor).toBeUndefined();
  });

  it("answers an empty list when there are none, and 400 for a cursor of another listing", async () => {
    const empty = await h.call("GET", "/v1/cancellations");
    expect(empty.status).toBe(200);
    expect(cancellationListSchema.parse(empty.body).data).toEqual([]);
    const runsCursor = Buffer.from(JSON.stringify({ k: "runs", c: "x", f: 0, u: 0 })).toString("base64url");
    expect((await h.call("GET", "/v1/cancellations", { query: { cursor: runsCursor } })).status).toBe(400);
  });
});

describe("DELETE /v1/cancellations/{id}", () => {
  it("removes the cancellation and answers it; its timer then cancels nothing", async () => {
    const run = makeRun({ runId: newId(T0), startedAt: T0 });
    await h.ports.runs.createRun(run);
    const created = cancellationAnswerSchema.parse(
      (await create({ app_id: "app", function_id: "app-fn", ...window })).body,
    ).data;
    const res = await h.call("DELETE", `/v1/cancellations/${created.id}`);
    expect(res.status).toBe(200);
    expect(cancellationAnswerSchema.parse(res.body).data).toEqual(created);
    expect(await h.ports.cancellations.get(created.id)).toBeUndefined();
    for (const { item } of h.ports.timers.takeDue(T0 + MIN)) await deliverTimer(h.ports, item);
    expect((await h.ports.runs.getRun(run.runId))?.status).toBe("Running");
    expect((await h.call("DELETE", `/v1/cancellations/${created.id}`)).status).toBe(404);
  });

  it("answers 404 for an unknown id", async () => {
    expect((await h.call("DELETE", "/v1/cancellations/01ARZ3NDEKTSV4RRFFQ69G5FAV")).status).toBe(404);
    expect((await h.call("DELETE", "/v1/cancellations/not-an-id")).status).toBe(404);
  });
});
