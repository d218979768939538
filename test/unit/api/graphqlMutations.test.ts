/** Mutations: cancelRun, rerun and Tideline's sendEvent. */
import { monotonicFactory } from "ulid";
import { beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { type ManualClock, type MemoryPorts, memoryPorts } from "../../../shared/adapters/memory/index.js";
import { handleGraphql } from "../../../shared/core/api/graphql/index.js";
import type { Json } from "../../../shared/domain/json.js";
import type { RunRecord } from "../../../shared/domain/schemas.js";
import { makeApp, makeFunction, makeRun, makeStep, T0 } from "../../fixtures/records.js";

const newId = monotonicFactory();
let ports: MemoryPorts<ManualClock>;

async function gql(query: string, variables: Record<string, Json> = {}) {
  const res = await handleGraphql(ports, JSON.stringify({ query, variables }));
  expect(res.status).toBe(200);
  return res.body;
}

const rerunAnswer = z.object({ data: z.object({ rerun: z.string() }) });

async function addRun(over: Partial<RunRecord> = {}): Promise<RunRecord> {
  const run = makeRun({ runId: newId(T0), startedAt: T0, fnSlug: "app-fn", appId: "app", ...over });
  await ports.runs.createRun(run);
  return run;
}

beforeEach(async () => {
  ports = memoryPorts();
  ports.clock.set(T0 + 1000);
  const fn = makeFunction("app", "fn", ["test/event"]);
  await ports.registry.putAppSync(makeApp("app", [fn]), [fn]);
});

const CANCEL = `mutation ($id: ULID!) { cancelRun(runID: $id) { id status finishedAt functionID } }`;
const RERUN = `mutation ($id: ULID!, $from: RerunFromStepInput) { rerun(runID: $id, fromStep: $from) }`;

describe("cancelRun", () => {
  it("ends a Running run as CANCELLED", async () => {
    const run = await addRun();
    expect(await gql(CANCEL, { id: run.runId })).toEqual({
      data: {
        cancelRun: {
          id: run.runId,
          status: "CANCELLED",
          finishedAt: new Date(T0 + 1000).toISOString(),
          functionID: "uuid-app-fn",
        },
      },
    });
    expect((await ports.runs.getRun(run.runId))?.status).toBe("Cancelled");
    const status = await gql(`query ($id: String!) { run(runID: $id) { status } }`, { id: run.runId });
    expect(status).toEqual({ data: { run: { status: "CANCELLED" } } });
  });

  it("leaves a run that already ended as it was", async () => {
    const run = await addRun();
    await ports.runs.commitTransition(run.runId, 0, {
      set: { status: "Completed", endedAt: T0 + 5, output: 1 },
      at: T0 + 5,
    });
    expect(await gql(CANCEL, { id: run.runId })).toMatchObject({
      data: { cancelRun: { status: "COMPLETED" } },
    });
  });

  it("answers an unknown run with an error", async () => {
    const id = newId(T0);
    expect(await gql(CANCEL, { id })).toEqual({
      data: null,
      errors: [expect.objectContaining({ message: `run ${id} not found`, path: ["cancelRun"] })],
    });
  });
});

describe("rerun", () => {
  it("returns the id of a new run of the same function with the same events, and queues it", async () => {
    const run = await addRun();
    const newRunId = rerunAnswer.parse(await gql(RERUN, { id: run.runId })).data.rerun;
    expect(newRunId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(newRunId).not.toBe(run.runId);
    const fresh = await ports.runs.getRun(newRunId);
    expect(fresh).toMatchObject({
      fnSlug: run.fnSlug,
      eventId: run.eventId,
      events: run.events,
      status: "Running",
    });
    expect(ports.work.sent().map((j) => j.runId)).toEqual([newRunId]);
  });

  it("reruns from a step, keeping the results of the steps before it", async () => {
    const run = await addRun();
    await ports.runs.commitTransition(run.runId, 0, {
      steps: [makeStep(run.runId, "a"), makeStep(run.runId, "b")],
      set: { stack: ["a", "b"], status: "Completed", endedAt: T0 + 5, output: 1 },
      at: T0 + 5,
    });
    const body = rerunAnswer.parse(await gql(RERUN, { id: run.runId, from: { stepID: "b" } }));
    const state = await ports.runs.getRunState(body.data.rerun);
    expect(state?.steps.map((s) => s.stepId)).toEqual(["a"]);
  });

  it("refuses a replaced step input", async () => {
    const run = await addRun();
    const body = await gql(RERUN, { id: run.runId, from: { stepID: "a", input: "[1]" } });
    expect(body).toEqual({
      data: null,
      errors: [expect.objectContaining({ message: expect.stringContaining("not supported") })],
    });
  });
});

describe("sendEvent", () => {
  it("puts the events on the stream and returns their ids", async () => {
    const payload = JSON.stringify([
      { name: "test/event", data: { n: 1 } },
      { name: "test/other", data: {}, id: "my-key" },
    ]);
    const body = z
      .object({ data: z.object({ sendEvent: z.array(z.string()) }) })
      .parse(await gql(`mutation ($p: String!) { sendEvent(payload: $p) }`, { p: payload }));
    const streamed = ports.stream.events();
    expect(body.data.sendEvent).toEqual(streamed.map((e) => e.internalId));
    expect(streamed.map((e) => [e.event.name, e.event.data])).toEqual([
      ["test/event", { n: 1 }],
      ["test/other", {}],
    ]);
    expect(streamed[1]?.event.id).toBe("my-key");
  });

  it("answers a payload the Event API would refuse with an error and streams nothing", async () => {
    const body = await gql(`mutation { sendEvent(payload: "{\\"data\\": {}}") }`);
    expect(body).toEqual({ data: null, errors: [expect.objectContaining({ path: ["sendEvent"] })] });
    expect(ports.stream.events()).toEqual([]);
  });
});

describe("replayEvents", () => {
  const REPLAY = `mutation ($fn: String!, $from: Time!, $until: Time!) { replayEvents(functionSlug: $fn, from: $from, until: $until) }`;

  it("starts a new run for each run an event in the window started", async () => {
    const eventId = newId(T0);
    const run = await addRun({ eventId });
    await ports.events.putEvent({
      internalId: eventId,
      event: { name: "test/event", data: {}, id: eventId, ts: T0, user: {} },
      receivedAt: T0,
      runIds: [run.runId],
    });
    const window = {
      fn: "app-fn",
      from: new Date(T0 - 1).toISOString(),
      until: new Date(T0 + 1).toISOString(),
    };
    const answer = z
      .object({ data: z.object({ replayEvents: z.array(z.string()) }) })
      .parse(await gql(REPLAY, window));
    expect(answer.data.replayEvents).toHaveLength(1);
    const replayed = await ports.runs.getRun(answer.data.replayEvents[0] ?? "");
    expect(replayed).toMatchObject({ fnSlug: "app-fn", eventId, status: "Running" });
    const none = await gql(REPLAY, {
      ...window,
      from: new Date(T0 + 10).toISOString(),
      until: new Date(T0 + 20).toISOString(),
    });
    expect(none).toEqual({ data: { replayEvents: [] } });
  });

  it("answers an unknown function with an error naming it", async () => {
    const body = await handleGraphql(
      ports,
      JSON.stringify({
        query: REPLAY,
        variables: {
          fn: "app-nope",
          from: new Date(T0).toISOString(),
          until: new Date(T0 + 1).toISOString(),
        },
      }),
    );
    expect(JSON.stringify(body.body)).toContain("app-nope");
  });
});
