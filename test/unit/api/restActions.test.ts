/**
 * REST v1 writes over the memory ports: cancel (DELETE), rerun, replay of a run and of a window
 * of events, sending events with the signing key, and run metadata.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  eventIdsAnswerSchema,
  metadataAnswerSchema,
  runAnswerSchema,
  runIdAnswerSchema,
  runIdsAnswerSchema,
} from "../../../shared/core/api/rest/schemas.js";
import { REPLAY_MAX_EVENTS, REPLAY_MAX_RUNS } from "../../../shared/core/api/runActions.js";
import { makeRun, makeStep, T0 } from "../../fixtures/records.js";
import { type Harness, harness, newId, startedRun, storeEvent, syncApp } from "./restHarness.js";

const MIN = 60_000;
let h: Harness;

beforeEach(async () => {
  h = harness();
  await syncApp(h);
});

async function running() {
  const run = makeRun({ runId: newId(T0), startedAt: T0 });
  await h.ports.runs.createRun(run);
  return run;
}

describe("DELETE /v1/runs/{runId}", () => {
  it("cancels a running run and answers it Cancelled", async () => {
    const run = await running();
    const res = await h.call("DELETE", `/v1/runs/${run.runId}`);
    expect(res.status).toBe(200);
    const { data } = runAnswerSchema.parse(res.body);
    expect(data).toMatchObject({
      run_id: run.runId,
      status: "Cancelled",
      ended_at: new Date(T0 + MIN).toISOString(),
    });
    expect((await h.ports.runs.getRun(run.runId))?.status).toBe("Cancelled");
  });

  it("leaves an ended run as it is", async () => {
    const run = makeRun({ runId: newId(T0), status: "Completed", output: 1, endedAt: T0 + 1 });
    await h.ports.runs.createRun(run);
    const { data } = runAnswerSchema.parse((await h.call("DELETE", `/v1/runs/${run.runId}`)).body);
    expect(data.status).toBe("Completed");
  });

  it("answers 404 for an unknown run", async () => {
    expect((await h.call("DELETE", "/v1/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV")).status).toBe(404);
  });
});

describe("POST /v1/runs/{runId}/rerun and /replay", () => {
  it("starts a new run with the same events and queues its first job", async () => {
    const run = await running();
    for (const path of [`/v1/runs/${run.runId}/rerun`, `/v1/runs/${run.runId}/replay`]) {
      const res = await h.call("POST", path);
      expect(res.status).toBe(200);
      const { run_id } = runIdAnswerSchema.parse(res.body).data;
      expect(run_id).not.toBe(run.runId);
      expect(await h.ports.runs.getRun(run_id)).toMatchObject({
        fnSlug: "app-fn",
        events: run.events,
        status: "Running",
      });
      expect(h.ports.work.sent().some((j) => j.runId === run_id && j.stepId === "step")).toBe(true);
    }
  });

  it("reruns from a step, keeping the results of the steps before it", async () => {
    const run = await running();
    await h.ports.runs.commitTransition(run.runId, 0, {
      steps: [makeStep(run.runId, "a"), makeStep(run.runId, "b")],
      set: { stack: ["a", "b"] },
      at: T0 + 1,
    });
    const res = await h.call("POST", `/v1/runs/${run.runId}/rerun`, { body: { from_step_id: "b" } });
    const { run_id } = runIdAnswerSchema.parse(res.body).data;
    const state = await h.ports.runs.getRunState(run_id);
    expect(state?.steps.map((s) => s.stepId)).toEqual(["a"]);
  });

  it.each([
    [{ from_step_id: "missing" }, 400],
    [{ from_step_id: 5 }, 400],
    ["not json", 400],
  ])("answers %j with %i", async (body, status) => {
    const run = await running();
    expect((await h.call("POST", `/v1/runs/${run.runId}/rerun`, { body })).status).toBe(status);
  });

  it("answers 404 for an unknown run", async () => {
    expect((await h.call("POST", "/v1/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV/rerun")).status).toBe(404);
    expect((await h.call("POST", "/v1/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV/replay")).status).toBe(404);
  });
});

describe("POST /v1/replays", () => {
  const window = {
    function_id: "app-fn",
    from: new Date(T0).toISOString(),
    until: new Date(T0 + 10 * MIN).toISOString(),
  };

  it("replays once, oldest first, each run of the function started by an event in the window", async () => {
    h.ports.clock.set(T0 + 20 * MIN);
    const e1 = await storeEvent(h, T0 + MIN);
    const e2 = await storeEvent(h, T0 + 2 * MIN);
    const r1 = await startedRun(h, e1);
    const r2 = await startedRun(h, e2);
    await startedRun(h, e2, { runId: newId(T0 + 2 * MIN), fnSlug: "app-other" });
    const outside = await storeEvent(h, T0 - MIN);
    await startedRun(h, outside);
    await storeEvent(h, T0 + 3 * MIN); // started nothing
    // A rerun of r1 keeps its triggering event: it is not replayed a second time.
    await h.call("POST", `/v1/runs/${r1.runId}/rerun`);

    const res = await h.call("POST", "/v1/replays", { body: window });
    expect(res.status).toBe(200);
    const { run_ids } = runIdsAnswerSchema.parse(res.body).data;
    expect(run_ids).toHaveLength(2);
    const replayed = await Promise.all(run_ids.map((id) => h.ports.runs.getRun(id)));
    expect(replayed.map((r) => [r?.fnSlug, r?.eventId, r?.events])).toEqual([
      ["app-fn", e1.internalId, r1.events],
      ["app-fn", e2.internalId, r2.events],
    ]);
  });

  it("answers an empty list when nothing in the window started the function", async () => {
    const res = await h.call("POST", "/v1/replays", { body: window });
    expect(runIdsAnswerSchema.parse(res.body).data.run_ids).toEqual([]);
  });

  it(`replays a window of exactly ${REPLAY_MAX_RUNS} runs`, async () => {
    for (let i = 0; i < REPLAY_MAX_RUNS; i++) await startedRun(h, await storeEvent(h, T0 + i));
    const res = await h.call("POST", "/v1/replays", { body: window });
    expect(res.status).toBe(200);
    expect(runIdsAnswerSchema.parse(res.body).data.run_ids).toHaveLength(REPLAY_MAX_RUNS);
  });

  it(`looks through ${REPLAY_MAX_EVENTS} events of the window and refuses one more`, async () => {
    // Events of the function's trigger that started nothing: scanned, never replayed.
    for (let i = 0; i < REPLAY_MAX_EVENTS; i++) await storeEvent(h, T0 + i, { name: "test/event" });
    expect((await h.call("POST", "/v1/replays", { body: window })).status).toBe(200);
    await storeEvent(h, T0 + REPLAY_MAX_EVENTS, { name: "test/event" });
    const res = await h.call("POST", "/v1/replays", { body: window });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: expect.stringContaining(`${REPLAY_MAX_EVENTS} events`) });
  });

  it(`refuses a window with more than ${REPLAY_MAX_RUNS} runs, starting none`, async () => {
    for (let i = 0; i <= REPLAY_MAX_RUNS; i++) await startedRun(h, await storeEvent(h, T0 + i));
    const before = h.ports.work.sent().length;
    const res = await h.call("POST", "/v1/replays", { body: window });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: expect.stringContaining("narrower window") });
    expect(h.ports.work.sent().length).toBe(before);
  });

  it.each([
    [{ ...window, function_id: "app-missing" }, 404],
    [{ ...window, from: "last week" }, 400],
    [{ ...window, from: window.until, until: window.from }, 400],
    [{ from: window.from, until: window.until }, 400],
  ])("answers %j with %i", async (body, status) => {
    expect((await h.call("POST", "/v1/replays", { body })).status).toBe(status);
  });
});

describe("POST /v1/events", () => {
  it("sends one event or several through the stream and answers their internal ids", async () => {
    const one = eventIdsAnswerSchema.parse(
      (await h.call("POST", "/v1/events", { body: { name: "test/event" } })).body,
    );
    const two = eventIdsAnswerSchema.parse(
      (await h.call("POST", "/v1/events", { body: [{ name: "a/b", data: { x: 1 } }, { name: "a/c" }] })).body,
    );
    expect(one.data.ids).toHaveLength(1);
    expect(two.data.ids).toHaveLength(2);
    expect(h.ports.stream.events().map((e) => [e.internalId, e.event.name])).toEqual([
      [one.data.ids[0], "test/event"],
      [two.data.ids[0], "a/b"],
      [two.data.ids[1], "a/c"],
    ]);
  });

  it("refuses an invalid event with a 400", async () => {
    expect((await h.call("POST", "/v1/events", { body: { data: {} } })).status).toBe(400);
    expect((await h.call("POST", "/v1/events", { body: "[]" })).status).toBe(400);
  });
});

describe("POST /v1/runs/{runId}/metadata", () => {
  it("stores the SDK's metadata on the run and answers how many records", async () => {
    const run = await running();
    const body = {
      target: { run_id: run.runId },
      metadata: [
        { kind: "scores", op: "set", values: { quality: 0.9 } },
        { kind: "usage", values: { tokens: 3 } },
      ],
    };
    const res = await h.call("POST", `/v1/runs/${run.runId}/metadata`, { body });
    expect(res.status).toBe(200);
    expect(metadataAnswerSchema.parse(res.body).data).toEqual({ records: 2 });
    expect((await h.ports.runs.getRunHistory(run.runId))?.metadata.map((m) => m.entry.kind)).toEqual([
      "scores",
      "usage",
    ]);
  });

  it("answers 400 for a target of another run and 404 for an unknown run", async () => {
    const run = await running();
    const body = (runId: string) => ({ target: { run_id: runId }, metadata: [{ kind: "k", values: {} }] });
    expect((await h.call("POST", `/v1/runs/${run.runId}/metadata`, { body: body("other") })).status).toBe(
      400,
    );
    const unknown = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
    expect((await h.call("POST", `/v1/runs/${unknown}/metadata`, { body: body(unknown) })).status).toBe(404);
  });
});

describe("POST /v1/traces/userland", () => {
  it("refuses a body that is neither OTLP JSON nor protobuf with a 415 naming both", async () => {
    const res = await h.call("POST", "/v1/traces/userland", {
      body: "x",
      headers: { "content-type": "text/plain" },
    });
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({
      error: expect.stringMatching(/application\/json.*application\/x-protobuf/),
    });
  });

  it("decodes application/x-protobuf and application/protobuf bodies, refusing bad bytes with a 400", async () => {
    for (const type of ["application/x-protobuf", "application/protobuf"]) {
      const empty = await h.call("POST", "/v1/traces/userland", {
        body: "",
        headers: { "content-type": type },
      });
      expect(empty).toMatchObject({ status: 200, body: {} });
      const bad = await h.call("POST", "/v1/traces/userland", {
        body: "\u000a\u00ff",
        headers: { "content-type": type },
      });
      expect(bad.status).toBe(400);
    }
  });
});
