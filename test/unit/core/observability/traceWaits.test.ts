/**
 * A run's trace of steps that wait outside the run: step.waitForEvent, step.invoke and
 * step.waitForSignal. A live pause is a WAITING step span; the result stored when the wait resumes
 * makes it COMPLETED (FAILED for an invoke that resumed with an error); a run that ended with
 * waits still pending shows them CANCELLED.
 */
import { describe, expect, it } from "vitest";
import { invokeFunction } from "../../../../shared/core/engine/ops/waits.js";
import { buildTrace, type TraceSpan } from "../../../../shared/core/observability/trace.js";
import { timeoutValue } from "../../../../shared/core/pauses/resume.js";
import type { Json } from "../../../../shared/domain/json.js";
import { refOf } from "../../../../shared/domain/pauses.js";
import type { PauseRef, RunRecord, StepRecord } from "../../../../shared/domain/schemas.js";
import type { RunHistory } from "../../../../shared/ports/index.js";
import { makeEvent, makeFunction, makeRun, T0 } from "../../../fixtures/records.js";

const HOUR = 60 * 60 * 1000;
const BEGAN = T0 + 100;
const EXPIRES = T0 + HOUR;

function pause(kind: PauseRef["kind"], over: Partial<PauseRef> = {}): PauseRef {
  return {
    pauseId: `p-${kind}`,
    partition: kind === "signal" ? "SIG#approved" : "EVT#app/approved",
    kind,
    ...(kind === "cancel" ? {} : { stepId: `${kind}-hash`, name: `${kind} step` }),
    ...(kind === "signal" ? { signal: "approved" } : { eventName: "app/approved" }),
    createdAt: BEGAN,
    expiresAt: EXPIRES,
    ...over,
  };
}

/** The step result a wait stores when it resumes at `at` (it began at BEGAN). */
function resumed(runId: string, op: string, stepId: string, value: Json, at = T0 + 500): StepRecord {
  return { runId, stepId, name: `${stepId} step`, value, op, attempts: 0, at, startedAt: BEGAN };
}

function trace(run: RunRecord, steps: StepRecord[] = [], now = T0 + 1000): TraceSpan {
  const history: RunHistory = { run, steps, attempts: [], metadata: [], userlandSpans: [] };
  return buildTrace(history, { now });
}

const onlyChild = (span: TraceSpan): TraceSpan => {
  expect(span.children).toHaveLength(1);
  const [child] = span.children;
  if (!child) throw new Error("no child span");
  return child;
};

describe("run trace: step.waitForEvent", () => {
  it("shows a pending wait as a WAITING child of the run, begun when the pause was made", () => {
    const run = makeRun({ firstAttemptAt: T0, pauses: [pause("wait")] });
    const root = trace(run);
    expect(root.status).toBe("RUNNING");
    const wait = onlyChild(root);
    expect(wait).toMatchObject({
      name: "wait step",
      parentSpanId: run.runId,
      status: "WAITING",
      stepId: "wait-hash",
      stepOp: "WAIT_FOR_EVENT",
      stepType: "WaitForEvent",
      queuedAt: BEGAN,
      startedAt: BEGAN,
      stepInfo: { type: "waitForEvent", eventName: "app/approved", timeout: EXPIRES },
    });
    expect(wait.endedAt).toBeUndefined();
    expect(wait.outputId).toBeUndefined();
    expect(wait.stepInfo).not.toHaveProperty("timedOut");
  });

  it("leaves the run's cancelOn pauses out: they are not steps", () => {
    const run = makeRun({ firstAttemptAt: T0, pauses: [pause("cancel")] });
    expect(trace(run).children).toEqual([]);
  });

  it("shows a wait an event resumed as COMPLETED with the matched event's name and id", () => {
    const run = makeRun({ firstAttemptAt: T0 });
    const event = makeEvent({ name: "app/approved", id: "01MATCHEDEVENT0000000000000", data: { ok: 1 } });
    const wait = onlyChild(trace(run, [resumed(run.runId, "WaitForEvent", "wait", { ...event })]));
    expect(wait).toMatchObject({
      status: "COMPLETED",
      stepOp: "WAIT_FOR_EVENT",
      startedAt: BEGAN,
      endedAt: T0 + 500,
      durationMs: 400,
      outputId: `step:${run.runId}:wait`,
      stepInfo: {
        type: "waitForEvent",
        eventName: "app/approved",
        foundEventId: "01MATCHEDEVENT0000000000000",
        timedOut: false,
      },
    });
    expect(wait.children).toEqual([]);
  });

  it("shows a wait that timed out as COMPLETED and timedOut, expired when it resumed", () => {
    const run = makeRun({ firstAttemptAt: T0 });
    const wait = onlyChild(trace(run, [resumed(run.runId, "WaitForEvent", "wait", null, EXPIRES)]));
    expect(wait).toMatchObject({
      status: "COMPLETED",
      endedAt: EXPIRES,
      stepInfo: { type: "waitForEvent", timedOut: true, timeout: EXPIRES },
    });
    expect(wait.stepInfo).not.toHaveProperty("foundEventId");
  });

  it("shows a wait that could not begin (a bad option) as FAILED without a timeout verdict", () => {
    const run = makeRun({ firstAttemptAt: T0 });
    const bad = { error: { name: "InvalidExpression", message: "bad if" } };
    const wait = onlyChild(trace(run, [resumed(run.runId, "WaitForEvent", "wait", bad)]));
    expect(wait).toMatchObject({ status: "FAILED", stepOp: "WAIT_FOR_EVENT" });
    expect(wait.stepInfo).toEqual({ type: "waitForEvent" });
  });
});

describe("run trace: step.invoke", () => {
  /** The pause and the invoke event the engine makes for `step.invoke` of "app-child" at BEGAN. */
  function invoke(run: RunRecord) {
    const child = makeFunction("app", "child");
    const effect = invokeFunction.handle(
      {
        job: { runId: run.runId, fnSlug: run.fnSlug, stepId: "step", attempt: 0, version: 1, partition: "p" },
        run,
        invokeTargets: new Map([[child.slug, child]]),
        signalHolders: new Map(),
        maxAttempts: 1,
        now: BEGAN,
        startedAt: BEGAN - 10,
        retryDelayMs: () => 0,
        retriable: true,
      },
      { id: "call-hash", op: "InvokeFunction", displayName: "call child", opts: { function_id: child.slug } },
    );
    const [made] = effect.pauses ?? [];
    const [sent] = effect.outbox?.events ?? [];
    if (!made || !sent) throw new Error("invoke made no pause or event");
    return { ref: refOf(made), eventId: sent.internalId };
  }

  it("shows an invoke in flight as WAITING with the id of the event that invoked the child", () => {
    const run = makeRun({ firstAttemptAt: T0 });
    const { ref, eventId } = invoke(run);
    const call = onlyChild(trace({ ...run, pauses: [ref] }));
    expect(call).toMatchObject({
      name: "call child",
      status: "WAITING",
      stepOp: "INVOKE",
      stepType: "InvokeFunction",
      startedAt: BEGAN,
      stepInfo: { type: "invoke", triggeringEventId: eventId, timeout: ref.expiresAt },
    });
    expect(call.stepInfo).not.toHaveProperty("timedOut");
  });

  it("shows an invoke the child's result resumed as COMPLETED, still naming the invoke event", () => {
    const run = makeRun({ firstAttemptAt: T0 });
    const { eventId } = invoke(run);
    const call = onlyChild(
      trace(run, [resumed(run.runId, "InvokeFunction", "call-hash", { data: { n: 1 } })]),
    );
    expect(call).toMatchObject({
      status: "COMPLETED",
      stepOp: "INVOKE",
      endedAt: T0 + 500,
      stepInfo: { type: "invoke", triggeringEventId: eventId, timedOut: false },
    });
  });

  it("shows an invoke whose child failed as FAILED, not timed out", () => {
    const run = makeRun({ firstAttemptAt: T0 });
    const failed = { error: { name: "Error", message: "child broke" } };
    const call = onlyChild(trace(run, [resumed(run.runId, "InvokeFunction", "call-hash", failed)]));
    expect(call).toMatchObject({ status: "FAILED", stepInfo: { type: "invoke", timedOut: false } });
  });

  it("shows an invoke that timed out as FAILED and timedOut, expired when it resumed", () => {
    const run = makeRun({ firstAttemptAt: T0 });
    const step = resumed(run.runId, "InvokeFunction", "call-hash", timeoutValue("invoke"), EXPIRES);
    expect(onlyChild(trace(run, [step]))).toMatchObject({
      status: "FAILED",
      endedAt: EXPIRES,
      stepInfo: { type: "invoke", timedOut: true, timeout: EXPIRES },
    });
  });
});

describe("run trace: step.waitForSignal", () => {
  it("shows a pending signal wait as WAITING with the signal and its expiry", () => {
    const run = makeRun({ firstAttemptAt: T0, pauses: [pause("signal")] });
    expect(onlyChild(trace(run))).toMatchObject({
      name: "signal step",
      status: "WAITING",
      stepOp: "WAIT_FOR_SIGNAL",
      stepType: "WaitForSignal",
      startedAt: BEGAN,
      stepInfo: { type: "waitForSignal", signal: "approved", timeout: EXPIRES },
    });
  });

  it("shows a signal wait the signal resumed as COMPLETED, and one that timed out as timedOut", () => {
    const run = makeRun({ firstAttemptAt: T0 });
    const value = { data: { signal: "approved", data: { by: "ann" } } };
    expect(onlyChild(trace(run, [resumed(run.runId, "WaitForSignal", "sig", value)]))).toMatchObject({
      status: "COMPLETED",
      stepInfo: { type: "waitForSignal", signal: "approved", timedOut: false },
    });
    expect(onlyChild(trace(run, [resumed(run.runId, "WaitForSignal", "sig", null, EXPIRES)]))).toMatchObject({
      status: "COMPLETED",
      stepInfo: { type: "waitForSignal", timedOut: true, timeout: EXPIRES },
    });
  });
});

describe("run trace: a cancelled run's waits", () => {
  it("shows the run CANCELLED and its pending waits and sleep CANCELLED when it ended", () => {
    const ended = T0 + 2000;
    const run = makeRun({
      firstAttemptAt: T0,
      status: "Cancelled",
      endedAt: ended,
      cancelledBy: "api",
      error: { name: "Error", message: "function cancelled" },
      pauses: [pause("wait"), pause("cancel")],
    });
    const nap = { ...resumed(run.runId, "Sleep", "nap", null, T0 + HOUR), startedAt: T0 + 50 };
    const root = trace(run, [nap], T0 + 3000);
    expect(root).toMatchObject({ status: "CANCELLED", endedAt: ended });
    expect(root.outputId).toBeUndefined();
    expect(root.children.map((c) => [c.name, c.stepOp, c.status, c.endedAt])).toEqual([
      ["nap step", "SLEEP", "CANCELLED", ended],
      ["wait step", "WAIT_FOR_EVENT", "CANCELLED", ended],
    ]);
  });

  it("keeps a sleep that woke before the run was cancelled COMPLETED", () => {
    const run = makeRun({ firstAttemptAt: T0, status: "Cancelled", endedAt: T0 + 2000 });
    const nap = { ...resumed(run.runId, "Sleep", "nap", null, T0 + 1000), startedAt: T0 + 50 };
    expect(onlyChild(trace(run, [nap], T0 + 3000))).toMatchObject({
      status: "COMPLETED",
      endedAt: T0 + 1000,
    });
  });
});
