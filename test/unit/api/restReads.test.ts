/**
 * REST v1 reads over the memory ports: events, runs, a run's jobs and an app's functions, in
 * Inngest's shapes; cursor pagination; 400s for bad parameters and 404s for unknown ids.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  eventAnswerSchema,
  eventListSchema,
  functionsAnswerSchema,
  runAnswerSchema,
  runJobsAnswerSchema,
  runListSchema,
  runsAnswerSchema,
} from "../../../shared/core/api/rest/schemas.js";
import { makeRun, T0 } from "../../fixtures/records.js";
import { type Harness, harness, newId, startedRun, storeEvent, syncApp } from "./restHarness.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
let h: Harness;

beforeEach(async () => {
  h = harness();
  await syncApp(h);
});

async function expect400(path: string, query: Record<string, string>, mentions: string) {
  const res = await h.call("GET", path, { query });
  expect(res.status).toBe(400);
  expect(res.body).toMatchObject({ status: 400, error: expect.stringContaining(mentions) });
}

describe("GET /v1/events", () => {
  it("lists the last hour's events newest first in Inngest's event shape", async () => {
    const old = await storeEvent(h, T0 - 2 * HOUR);
    const a = await storeEvent(h, T0, { name: "test/event", data: { n: 1 }, user: { u: 1 }, v: "2" });
    const b = await storeEvent(h, T0 + MIN, { name: "test/other", ts: 123 });
    const res = await h.call("GET", "/v1/events");
    expect(res.status).toBe(200);
    const { data, metadata, cursor } = eventListSchema.parse(res.body);
    expect(data.map((e) => e.internal_id)).toEqual([b.internalId, a.internalId]);
    expect(data.map((e) => e.internal_id)).not.toContain(old.internalId);
    expect(data[1]).toEqual({
      internal_id: a.internalId,
      environment_id: "local",
      received_at: new Date(T0).toISOString(),
      id: a.internalId,
      name: "test/event",
      data: { n: 1 },
      user: { u: 1 },
      ts: T0,
      v: "2",
    });
    expect(metadata).toEqual({ fetched_at: new Date(T0 + MIN).toISOString(), cached_until: null });
    expect(cursor).toBeUndefined();
  });

  it("filters by name and by received_after / received_before (RFC 3339 or epoch)", async () => {
    const early = await storeEvent(h, T0 - 3 * HOUR, { name: "test/event" });
    await storeEvent(h, T0 - 3 * HOUR, { name: "test/other" });
    await storeEvent(h, T0, { name: "test/event" });
    const res = await h.call("GET", "/v1/events", {
      query: {
        name: "test/event",
        received_after: new Date(T0 - 4 * HOUR).toISOString(),
        received_before: String(T0 - HOUR),
      },
    });
    expect(eventListSchema.parse(res.body).data.map((e) => e.internal_id)).toEqual([early.internalId]);
  });

  it("pages with cursors to the end without duplicates, keeping the first page's window", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await storeEvent(h, T0 - i * MIN)).internalId);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await h.call("GET", "/v1/events", { query: { limit: "3", ...(cursor ? { cursor } : {}) } });
      expect(res.status).toBe(200);
      const page = eventListSchema.parse(res.body);
      seen.push(...page.data.map((e) => e.internal_id));
      cursor = page.cursor;
      pages++;
      // Later pages keep the window even though "now" moves past the default hour.
      h.ports.clock.advance(2 * HOUR);
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(ids);
  });

  it.each([
    [{ limit: "abc" }, "limit"],
    [{ limit: "0" }, "limit"],
    [{ limit: "101" }, "limit"],
    [{ limit: "5.5" }, "limit"],
    [{ received_after: "yesterday" }, "received_after"],
    [{ received_before: "2030-13-45T00:00:00Z" }, "received_before"],
    [{ cursor: "not a cursor" }, "cursor"],
    [{ cursor: Buffer.from('{"k":"events"}').toString("base64url") }, "cursor"],
  ])("refuses %j with a 400 naming the parameter", async (query, name) => {
    await expect400("/v1/events", query, name);
  });

  it("refuses received_after later than received_before", async () => {
    await expect400(
      "/v1/events",
      { received_after: "2030-01-02", received_before: "2030-01-01" },
      "received_after",
    );
  });

  it("refuses a runs cursor", async () => {
    for (let i = 0; i < 3; i++) await h.ports.runs.createRun(makeRun({ runId: newId(T0), startedAt: T0 }));
    const runs = runListSchema.parse((await h.call("GET", "/v1/runs", { query: { limit: "1" } })).body);
    expect(runs.cursor).toBeDefined();
    await expect400("/v1/events", { cursor: runs.cursor ?? "" }, "cursor");
  });
});

describe("GET /v1/events/{eventId} and /runs", () => {
  it("answers the event in a {data, metadata} envelope", async () => {
    const ev = await storeEvent(h, T0, { name: "test/event" });
    const res = await h.call("GET", `/v1/events/${ev.internalId}`);
    expect(res.status).toBe(200);
    expect(eventAnswerSchema.parse(res.body).data).toMatchObject({
      internal_id: ev.internalId,
      name: "test/event",
    });
  });

  it("lists the runs the event started, oldest first", async () => {
    const ev = await storeEvent(h, T0);
    const first = await startedRun(h, ev);
    const second = await startedRun(h, ev, {
      runId: newId(T0 + 10),
      startedAt: T0 + 10,
      fnSlug: "app-other",
    });
    const res = await h.call("GET", `/v1/events/${ev.internalId}/runs`);
    const { data } = runsAnswerSchema.parse(res.body);
    expect(data.map((r) => [r.run_id, r.function_id])).toEqual([
      [first.runId, "app-fn"],
      [second.runId, "app-other"],
    ]);
  });

  it.each([
    "/v1/events/01ARZ3NDEKTSV4RRFFQ69G5FAV",
    "/v1/events/not-an-id",
    "/v1/events/01ARZ3NDEKTSV4RRFFQ69G5FAV/runs",
  ])("answers 404 for the unknown %s", async (path) => {
    const res = await h.call("GET", path);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ status: 404, error: expect.stringContaining("not found") });
  });
});

describe("GET /v1/runs", () => {
  async function runsAt(specs: Partial<Parameters<typeof makeRun>[0]>[]) {
    const out = [];
    for (const [i, spec] of specs.entries()) {
      const run = makeRun({ runId: newId(T0 + i), startedAt: T0 + i, ...spec });
      await h.ports.runs.createRun(run);
      out.push(run);
    }
    return out;
  }

  it("lists runs newest first without outputs, filtered by function, app and status", async () => {
    const [a, b, c] = await runsAt([
      { status: "Completed", output: { ok: true }, endedAt: T0 + 50 },
      { fnSlug: "app-other" },
      { appId: "app2", fnSlug: "app2-fn", status: "Failed" },
    ]);
    const all = runListSchema.parse((await h.call("GET", "/v1/runs")).body).data;
    expect(all.map((r) => r.run_id)).toEqual([c?.runId, b?.runId, a?.runId]);
    expect(all.every((r) => !("output" in r))).toBe(true);
    expect(all[2]).toMatchObject({ status: "Completed", ended_at: new Date(T0 + 50).toISOString() });

    const ids = async (query: Record<string, string>) =>
      runListSchema.parse((await h.call("GET", "/v1/runs", { query })).body).data.map((r) => r.run_id);
    expect(await ids({ function_id: "app-fn,app-other" })).toEqual([b?.runId, a?.runId]);
    expect(await ids({ app_id: "app2" })).toEqual([c?.runId]);
    expect(await ids({ status: "completed,FAILED" })).toEqual([c?.runId, a?.runId]);
    expect(await ids({ order: "asc" })).toEqual([a?.runId, b?.runId, c?.runId]);
    expect(
      await ids({ from: new Date(T0 + 1).toISOString(), until: new Date(T0 + 1).toISOString() }),
    ).toEqual([b?.runId]);
  });

  it("pages with cursors to the end without duplicates", async () => {
    const runs = await runsAt(Array.from({ length: 10 }, () => ({})));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const query: Record<string, string> = { limit: "4", order: "asc", ...(cursor ? { cursor } : {}) };
      const page = runListSchema.parse((await h.call("GET", "/v1/runs", { query })).body);
      expect(page.data.length).toBeLessThanOrEqual(4);
      seen.push(...page.data.map((r) => r.run_id));
      cursor = page.cursor;
    } while (cursor);
    expect(seen).toEqual(runs.map((r) => r.runId));
  });

  it.each([
    [{ status: "Sleeping" }, "status"],
    [{ from: "soon" }, "from"],
    [{ order: "sideways" }, "order"],
    [{ limit: "-1" }, "limit"],
    [{ from: "2030-01-02", until: "2030-01-01" }, "from"],
  ])("refuses %j with a 400", async (query, name) => {
    await expect400("/v1/runs", query, name);
  });
});

describe("GET /v1/runs/{runId}", () => {
  it("answers a completed run with its output and a failed one with its error", async () => {
    const done = makeRun({ runId: newId(T0), status: "Completed", output: { total: 3 }, endedAt: T0 + 9 });
    const failed = makeRun({
      runId: newId(T0),
      status: "Failed",
      error: { name: "Error", message: "boom", stack: "at x" },
      endedAt: T0 + 9,
    });
    await h.ports.runs.createRun(done);
    await h.ports.runs.createRun(failed);
    const a = runAnswerSchema.parse((await h.call("GET", `/v1/runs/${done.runId}`)).body).data;
    expect(a).toEqual({
      run_id: done.runId,
      run_started_at: new Date(T0).toISOString(),
      function_id: "app-fn",
      function_version: 1,
      environment_id: "local",
      event_id: done.eventId,
      batch_id: null,
      original_run_id: null,
      cron: null,
      status: "Completed",
      ended_at: new Date(T0 + 9).toISOString(),
      output: { total: 3 },
    });
    const b = runAnswerSchema.parse((await h.call("GET", `/v1/runs/${failed.runId}`)).body).data;
    expect(b.output).toEqual({ name: "Error", message: "boom", stack: "at x" });
  });

  it("answers 404 for an unknown run, 400 for a malformed path and 405 for another method", async () => {
    expect((await h.call("GET", "/v1/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV")).status).toBe(404);
    expect((await h.call("GET", "/v1/runs/%ZZ")).status).toBe(400);
    expect((await h.call("PUT", "/v1/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV")).status).toBe(405);
    expect((await h.call("GET", "/v1/nothing")).status).toBe(404);
  });
});

describe("GET /v1/runs/{runId}/jobs", () => {
  it("lists step results and failed attempts oldest first, then the queued job", async () => {
    const run = makeRun({ runId: newId(T0), startedAt: T0 });
    await h.ports.runs.createRun(run);
    const error = { name: "Error", message: "flaky" };
    await h.ports.runs.commitTransition(run.runId, 0, {
      steps: [
        {
          runId: run.runId,
          stepId: "s1",
          name: "fetch",
          op: "StepRun",
          value: { data: [1] },
          attempts: 1,
          at: T0 + 30,
          startedAt: T0 + 20,
        },
        {
          runId: run.runId,
          stepId: "s2",
          name: "nap",
          op: "Sleep",
          value: null,
          attempts: 0,
          at: T0 + 10 * HOUR,
          startedAt: T0 + 40,
        },
      ],
      attempts: [
        {
          runId: run.runId,
          stepId: "s1",
          name: "fetch",
          attempt: 0,
          startedAt: T0 + 10,
          endedAt: T0 + 15,
          error,
          version: 0,
        },
      ],
      set: {
        next: [
          {
            job: { runId: run.runId, fnSlug: "app-fn", stepId: "s3", attempt: 0, version: 1, partition: "p" },
            dueAt: T0 + 10 * HOUR,
          },
        ],
      },
      at: T0 + 40,
    });
    const res = await h.call("GET", `/v1/runs/${run.runId}/jobs`);
    expect(res.status).toBe(200);
    const jobs = runJobsAnswerSchema.parse(res.body).data;
    expect(jobs.map((j) => [j.step_id, j.kind, j.attempt, j.status])).toEqual([
      ["s1", "step", 0, "Failed"],
      ["s1", "step", 1, "Completed"],
      ["s2", "step", 0, "Waiting"],
      ["s3", "step", 0, "Queued"],
    ]);
    expect(jobs[0]).toMatchObject({
      op: "StepError",
      error,
      output: null,
      ended_at: new Date(T0 + 15).toISOString(),
    });
    expect(jobs[1]).toMatchObject({ name: "fetch", op: "StepRun", output: [1], error: null });
    expect(jobs[2]).toMatchObject({ op: "Sleep", ended_at: null });
    expect(jobs[3]).toMatchObject({ at: new Date(T0 + 10 * HOUR).toISOString(), started_at: null });
  });

  it("lists a step waiting on an event as Waiting, not cancelOn pauses, and a matched wait's whole event", async () => {
    const run = makeRun({ runId: newId(T0), startedAt: T0 });
    await h.ports.runs.createRun(run);
    const event = { name: "app/approved", data: { ok: 1 }, id: "e1", ts: T0, user: {} };
    const live = { partition: "EVT#app/approved", eventName: "app/approved", expiresAt: T0 + HOUR };
    await h.ports.runs.commitTransition(run.runId, 0, {
      steps: [
        {
          runId: run.runId,
          stepId: "w1",
          name: "first",
          op: "WaitForEvent",
          value: event,
          attempts: 0,
          at: T0 + 30,
          startedAt: T0 + 10,
        },
      ],
      set: {
        pauses: [
          { ...live, pauseId: "p2", kind: "wait", stepId: "w2", name: "second", createdAt: T0 + 40 },
          { ...live, pauseId: "p3", kind: "cancel", createdAt: T0 },
        ],
      },
      at: T0 + 40,
    });
    const jobs = runJobsAnswerSchema.parse((await h.call("GET", `/v1/runs/${run.runId}/jobs`)).body).data;
    expect(jobs.map((j) => [j.step_id, j.name, j.op, j.status])).toEqual([
      ["w1", "first", "WaitForEvent", "Completed"],
      ["w2", "second", "WaitForEvent", "Waiting"],
    ]);
    expect(jobs[0]?.output).toEqual(event);
    expect(jobs[1]).toMatchObject({
      started_at: new Date(T0 + 40).toISOString(),
      ended_at: null,
      output: null,
    });
  });

  it("answers 404 for an unknown run", async () => {
    expect((await h.call("GET", "/v1/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV/jobs")).status).toBe(404);
  });
});

describe("GET /v1/apps/{appId}/functions", () => {
  it("lists the app's functions with their triggers and config", async () => {
    const res = await h.call("GET", "/v1/apps/app/functions");
    expect(res.status).toBe(200);
    const { data } = functionsAnswerSchema.parse(res.body);
    expect(data.map((f) => f.slug)).toEqual(["app-fn", "app-other"]);
    expect(data[0]).toEqual({
      internal_id: "uuid-app-fn",
      id: "app-fn",
      slug: "app-fn",
      name: "My function",
      app_id: "app",
      triggers: [{ event: "test/event" }],
      config: { id: "app-fn" },
      updated_at: new Date(T0).toISOString(),
    });
  });

  it("answers 404 for an unknown app", async () => {
    expect((await h.call("GET", "/v1/apps/nope/functions")).status).toBe(404);
  });
});
