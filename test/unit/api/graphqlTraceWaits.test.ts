/**
 * `run { trace }` of steps that wait outside the run, in Inngest's shapes: the WAITING span of a
 * live pause, the resumed span with its `WaitForEventStepInfo` / `InvokeStepInfo` /
 * `WaitForSignalStepInfo`, and the spans of a cancelled run.
 */
import { describe, expect, it } from "vitest";
import { invokeEventId } from "../../../shared/core/pauses/create.js";
import type { Json } from "../../../shared/domain/json.js";
import type { PauseRef, StepRecord } from "../../../shared/domain/schemas.js";
import { makeEvent, makeRun, T0 } from "../../fixtures/records.js";
import { newId, started, useGqlHarness } from "./graphqlHarness.js";

const HOUR = 60 * 60 * 1000;
const BEGAN = T0 + 20;
const EXPIRES = T0 + HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

const TRACE = `query ($runId: String!) { run(runID: $runId) { status trace(preview: true) { status childrenSpans {
  name status stepOp stepID startedAt endedAt
  stepInfo {
    __typename
    ... on WaitForEventStepInfo { eventName expression timeout foundEventID timedOut }
    ... on InvokeStepInfo { triggeringEventID functionID timeout returnEventID runID timedOut }
    ... on WaitForSignalStepInfo { signal timeout timedOut }
  } } } } }`;

const h = useGqlHarness();
const { gql, runWith } = h;

function pause(kind: PauseRef["kind"], stepId: string, over: Partial<PauseRef> = {}): PauseRef {
  return {
    pauseId: `p-${stepId}`,
    partition: "EVT#app/approved",
    kind,
    stepId,
    name: stepId,
    createdAt: BEGAN,
    expiresAt: EXPIRES,
    ...over,
  };
}

function resumed(runId: string, stepId: string, op: string, value: Json, at = T0 + 500): StepRecord {
  return { runId, stepId, name: stepId, op, value, attempts: 0, at, startedAt: BEGAN };
}

/** The one child span of the run's trace, and the run's and root span's statuses. */
async function childSpan(runId: string) {
  const body = await gql(TRACE, { runId });
  const run = (
    body as { data: { run: { status: string; trace: { status: string; childrenSpans: Json[] } } } }
  ).data.run;
  expect(run.trace.childrenSpans).toHaveLength(1);
  return { status: run.status, traceStatus: run.trace.status, span: run.trace.childrenSpans[0] };
}

describe("trace of a step.waitForEvent", () => {
  it("shows a pending wait as WAITING with its event, no expression and its expiry as timeout", async () => {
    const run = await runWith(() => [
      started,
      { set: { pauses: [pause("wait", "w", { eventName: "app/approved" })] }, at: BEGAN },
    ]);
    expect(await childSpan(run.runId)).toEqual({
      status: "RUNNING",
      traceStatus: "RUNNING",
      span: {
        name: "w",
        status: "WAITING",
        stepOp: "WAIT_FOR_EVENT",
        stepID: "w",
        startedAt: iso(BEGAN),
        endedAt: null,
        stepInfo: {
          __typename: "WaitForEventStepInfo",
          eventName: "app/approved",
          expression: null,
          timeout: iso(EXPIRES),
          foundEventID: null,
          timedOut: null,
        },
      },
    });
  });

  it("shows a matched wait as COMPLETED with the found event's id", async () => {
    const found = newId(T0 + 400);
    const event = makeEvent({ name: "app/approved", id: found });
    const run = await runWith((runId) => [
      started,
      { steps: [resumed(runId, "w", "WaitForEvent", { ...event })], set: {}, at: T0 + 500 },
    ]);
    const { span } = await childSpan(run.runId);
    expect(span).toMatchObject({
      status: "COMPLETED",
      stepOp: "WAIT_FOR_EVENT",
      startedAt: iso(BEGAN),
      endedAt: iso(T0 + 500),
      stepInfo: { eventName: "app/approved", foundEventID: found, timedOut: false },
    });
  });

  it("gives Inngest's zero time as the timeout of a matched wait, whose expiry is not kept", async () => {
    const event = makeEvent({ name: "app/approved" });
    const run = await runWith((runId) => [
      started,
      { steps: [resumed(runId, "w", "WaitForEvent", { ...event })], set: {}, at: T0 + 500 },
    ]);
    expect((await childSpan(run.runId)).span).toMatchObject({
      stepInfo: { timeout: "0001-01-01T00:00:00.000Z" },
    });
  });

  it("shows a wait that timed out as COMPLETED and timedOut, with no found event", async () => {
    const run = await runWith((runId) => [
      started,
      { steps: [resumed(runId, "w", "WaitForEvent", null, EXPIRES)], set: {}, at: EXPIRES },
    ]);
    expect((await childSpan(run.runId)).span).toMatchObject({
      status: "COMPLETED",
      endedAt: iso(EXPIRES),
      stepInfo: { eventName: "", timeout: iso(EXPIRES), foundEventID: null, timedOut: true },
    });
  });
});

describe("trace of a step.invoke", () => {
  it("shows an invoke in flight as WAITING with its invoke event, target and child run", async () => {
    const childRunId = newId(T0 + 30);
    const run = await runWith(() => [
      started,
      { set: { pauses: [pause("invoke", "call", { eventName: "inngest/function.finished" })] }, at: BEGAN },
    ]);
    const eventId = invokeEventId(run.runId, "call", BEGAN);
    await h.ports.events.putEvent({
      internalId: eventId,
      event: makeEvent({ name: "inngest/function.invoked", data: { _inngest: { fn_id: "app-child" } } }),
      receivedAt: BEGAN,
      runIds: [childRunId],
    });
    await h.ports.runs.createRun(makeRun({ runId: childRunId, fnSlug: "app-child", eventId }));
    expect((await childSpan(run.runId)).span).toEqual({
      name: "call",
      status: "WAITING",
      stepOp: "INVOKE",
      stepID: "call",
      startedAt: iso(BEGAN),
      endedAt: null,
      stepInfo: {
        __typename: "InvokeStepInfo",
        triggeringEventID: eventId,
        functionID: "app-child",
        timeout: iso(EXPIRES),
        returnEventID: null,
        runID: childRunId,
        timedOut: null,
      },
    });
  });

  it("shows an invoke the child completed as COMPLETED, and leaves target and child empty when unknown", async () => {
    const run = await runWith((runId) => [
      started,
      { steps: [resumed(runId, "call", "InvokeFunction", { data: 42 })], set: {}, at: T0 + 500 },
    ]);
    expect((await childSpan(run.runId)).span).toMatchObject({
      status: "COMPLETED",
      stepOp: "INVOKE",
      stepInfo: {
        triggeringEventID: invokeEventId(run.runId, "call", BEGAN),
        functionID: "",
        runID: null,
        timedOut: false,
      },
    });
  });

  it("shows an invoke that timed out as FAILED and timedOut", async () => {
    const timeout = { error: { name: "InngestInvokeTimeoutError", message: "Timed out" } };
    const run = await runWith((runId) => [
      started,
      { steps: [resumed(runId, "call", "InvokeFunction", timeout, EXPIRES)], set: {}, at: EXPIRES },
    ]);
    expect((await childSpan(run.runId)).span).toMatchObject({
      status: "FAILED",
      stepInfo: { timeout: iso(EXPIRES), timedOut: true },
    });
  });
});

describe("trace of a step.waitForSignal", () => {
  it("shows a pending signal wait as WAITING, then COMPLETED with the signal once it came", async () => {
    const run = await runWith(() => [
      started,
      { set: { pauses: [pause("signal", "s", { partition: "SIG#go", signal: "go" })] }, at: BEGAN },
    ]);
    expect((await childSpan(run.runId)).span).toMatchObject({
      status: "WAITING",
      stepOp: "WAIT_FOR_SIGNAL",
      stepInfo: { __typename: "WaitForSignalStepInfo", signal: "go", timeout: iso(EXPIRES), timedOut: null },
    });
    await h.ports.runs.commitTransition(run.runId, 2, {
      steps: [resumed(run.runId, "s", "WaitForSignal", { data: { signal: "go", data: { ok: true } } })],
      set: { pauses: [] },
      at: T0 + 500,
    });
    expect((await childSpan(run.runId)).span).toMatchObject({
      status: "COMPLETED",
      endedAt: iso(T0 + 500),
      stepInfo: { signal: "go", timedOut: false },
    });
  });
});

describe("trace of a cancelled run", () => {
  it("shows the run CANCELLED and the wait it was on CANCELLED at the run's end", async () => {
    const run = await runWith(() => [
      started,
      { set: { pauses: [pause("wait", "w", { eventName: "app/approved" })] }, at: BEGAN },
      {
        set: {
          status: "Cancelled",
          endedAt: T0 + 700,
          cancelledBy: "api",
          error: { name: "Error", message: "function cancelled" },
        },
        at: T0 + 700,
      },
    ]);
    expect(await childSpan(run.runId)).toMatchObject({
      status: "CANCELLED",
      traceStatus: "CANCELLED",
      span: { status: "CANCELLED", stepOp: "WAIT_FOR_EVENT", endedAt: iso(T0 + 700) },
    });
  });
});
