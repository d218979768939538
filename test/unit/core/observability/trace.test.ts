import { describe, expect, it } from "vitest";
import { MemoryRunStore } from "../../../../shared/adapters/memory/index.js";
import { readSpanOutput } from "../../../../shared/core/observability/outputs.js";
import { buildTrace, type TraceSpan } from "../../../../shared/core/observability/trace.js";
import type { AttemptRecord, RunRecord, StepRecord } from "../../../../shared/domain/schemas.js";
import type { RunHistory } from "../../../../shared/ports/index.js";
import { makeRun, T0 } from "../../../fixtures/records.js";

function step(runId: string, stepId: string, over: Partial<StepRecord> = {}): StepRecord {
  return {
    runId,
    stepId,
    value: { data: stepId },
    name: stepId,
    op: "StepRun",
    attempts: 0,
    at: T0 + 200,
    startedAt: T0 + 100,
    ...over,
  };
}

function attempt(runId: string, stepId: string, n: number, version: number): AttemptRecord {
  return {
    runId,
    stepId,
    ...(stepId === "step" ? {} : { name: `name-${stepId}` }),
    attempt: n,
    startedAt: T0 + 10 * version,
    endedAt: T0 + 10 * version + 5,
    version,
    error: { name: "Error", message: `failed ${n}` },
  };
}

function history(run: RunRecord, steps: StepRecord[] = [], attempts: AttemptRecord[] = []): RunHistory {
  return { run, steps, attempts, metadata: [], userlandSpans: [] };
}

const names = (span: TraceSpan) => span.children.map((c) => c.name);

describe("run trace", () => {
  it("shows a run that has not started as QUEUED, with no children and no output", () => {
    const trace = buildTrace(history(makeRun()), { now: T0, fnName: "My fn" });
    expect(trace).toMatchObject({
      name: "My fn",
      status: "QUEUED",
      isRoot: true,
      queuedAt: T0,
      children: [],
    });
    expect(trace.startedAt).toBeUndefined();
    expect(trace.outputId).toBeUndefined();
  });

  it("shows a completed run with one child per step in the order they ran, and the run's output id", () => {
    const run = makeRun({ status: "Completed", firstAttemptAt: T0 + 1, endedAt: T0 + 900, output: 42 });
    const trace = buildTrace(
      history(run, [step(run.runId, "b", { startedAt: T0 + 300, at: T0 + 400 }), step(run.runId, "a")]),
      { now: T0 + 1000 },
    );
    expect(trace).toMatchObject({
      status: "COMPLETED",
      startedAt: T0 + 1,
      endedAt: T0 + 900,
      durationMs: 899,
    });
    expect(trace.outputId).toBe(`run:${run.runId}`);
    expect(names(trace)).toEqual(["a", "b"]);
    expect(trace.children[0]).toMatchObject({
      status: "COMPLETED",
      stepOp: "RUN",
      stepId: "a",
      attempts: 1,
      startedAt: T0 + 100,
      endedAt: T0 + 200,
      durationMs: 100,
      outputId: `step:${run.runId}:a`,
    });
  });

  it("puts a retried step's failed attempts before the attempt that succeeded", () => {
    const run = makeRun({ status: "Completed", firstAttemptAt: T0, endedAt: T0 + 900 });
    const trace = buildTrace(
      history(
        run,
        [step(run.runId, "h1", { attempts: 2, name: "charge" })],
        [attempt(run.runId, "h1", 0, 1), attempt(run.runId, "h1", 1, 2)],
      ),
      { now: T0 + 1000 },
    );
    const [charge] = trace.children;
    expect(charge).toMatchObject({ name: "charge", status: "COMPLETED", attempts: 3 });
    expect(charge?.children.map((c) => [c.name, c.status, c.outputId])).toEqual([
      ["Attempt 0", "FAILED", `attempt:${run.runId}:1`],
      ["Attempt 1", "FAILED", `attempt:${run.runId}:2`],
      ["Attempt 2", "COMPLETED", `step:${run.runId}:h1`],
    ]);
  });

  it("shows a step whose retry is pending as RUNNING, and FAILED once the run has failed", () => {
    const running = makeRun({ firstAttemptAt: T0 });
    const pending = buildTrace(history(running, [], [attempt(running.runId, "h1", 0, 1)]), { now: T0 + 50 });
    expect(pending.children[0]).toMatchObject({ name: "name-h1", status: "RUNNING", attempts: 1 });
    const failed = buildTrace(
      history({ ...running, status: "Failed", endedAt: T0 + 99 }, [], [attempt(running.runId, "h1", 0, 1)]),
      {
        now: T0 + 100,
      },
    );
    expect(failed.children[0]?.status).toBe("FAILED");
  });

  it("shows a step that failed for good as FAILED", () => {
    const run = makeRun({ status: "Failed", firstAttemptAt: T0, endedAt: T0 + 300 });
    const trace = buildTrace(
      history(run, [
        step(run.runId, "h1", { value: { error: { name: "E", message: "x" } }, op: "StepFailed" }),
      ]),
      {
        now: T0 + 400,
      },
    );
    expect(trace.status).toBe("FAILED");
    expect(trace.children[0]).toMatchObject({ status: "FAILED", stepOp: "RUN" });
  });

  it("shows a sleep as WAITING until its wake time, then COMPLETED", () => {
    const run = makeRun({ firstAttemptAt: T0 });
    const sleeping = step(run.runId, "nap", {
      op: "Sleep",
      value: null,
      startedAt: T0 + 100,
      at: T0 + 60_000,
    });
    const before = buildTrace(history(run, [sleeping]), { now: T0 + 1000 });
    expect(before.children[0]).toMatchObject({
      status: "WAITING",
      stepOp: "SLEEP",
      stepInfo: { type: "sleep", sleepUntil: T0 + 60_000 },
    });
    expect(before.children[0]?.endedAt).toBeUndefined();
    const after = buildTrace(history(run, [sleeping]), { now: T0 + 60_001 });
    expect(after.children[0]).toMatchObject({
      status: "COMPLETED",
      endedAt: T0 + 60_000,
      durationMs: 59_900,
    });
  });

  it("shows failed attempts of the function body as root children and counts them", () => {
    const run = makeRun({ status: "Failed", firstAttemptAt: T0, endedAt: T0 + 30 });
    const trace = buildTrace(
      history(run, [], [attempt(run.runId, "step", 0, 0), attempt(run.runId, "step", 1, 1)]),
      {
        now: T0 + 40,
      },
    );
    expect(names(trace)).toEqual(["Attempt 0", "Attempt 1"]);
    expect(trace.attempts).toBe(3);
    expect(trace.children[0]?.stepId).toBeUndefined();
  });

  it("folds metadata by scope and kind: set replaces, merge merges, the latest time wins", () => {
    const run = makeRun({ firstAttemptAt: T0 });
    const s = step(run.runId, "h1", {
      metadata: [{ kind: "userland.a", scope: "step", op: "set", values: { x: 1, y: 1 }, updatedAt: T0 }],
    });
    const h: RunHistory = {
      ...history(run, [s]),
      metadata: [
        {
          runId: run.runId,
          stepId: "h1",
          entry: { kind: "userland.a", scope: "step", op: "merge", values: { y: 2 }, updatedAt: T0 + 5 },
          writeId: "01A",
        },
        {
          runId: run.runId,
          entry: { kind: "inngest.score", scope: "run", op: "set", values: { s: 1 }, updatedAt: T0 + 6 },
          writeId: "01B",
        },
        {
          runId: run.runId,
          entry: { kind: "inngest.score", scope: "run", op: "set", values: { s: 2 }, updatedAt: T0 + 7 },
          writeId: "01C",
        },
      ],
    };
    const trace = buildTrace(h, { now: T0 + 10 });
    expect(trace.metadata).toEqual([
      { scope: "run", kind: "inngest.score", values: { s: 2 }, updatedAt: T0 + 7 },
    ]);
    expect(trace.children[0]?.metadata).toEqual([
      { scope: "step", kind: "userland.a", values: { x: 1, y: 2 }, updatedAt: T0 + 5 },
    ]);
  });
});

describe("span outputs by id", () => {
  it("reads a completed run's output as JSON text and a failed run's error", async () => {
    const runs = new MemoryRunStore();
    const ok = makeRun();
    const bad = makeRun();
    await runs.createRun(ok);
    await runs.createRun(bad);
    await runs.commitTransition(ok.runId, 0, {
      set: { status: "Completed", output: { n: 1 }, endedAt: T0 },
      at: T0,
    });
    const error = { name: "TypeError", message: "no", stack: "at x" };
    await runs.commitTransition(bad.runId, 0, { set: { status: "Failed", error, endedAt: T0 }, at: T0 });
    expect(await readSpanOutput(runs, `run:${ok.runId}`)).toEqual({ data: '{"n":1}', error: null });
    expect(await readSpanOutput(runs, `run:${bad.runId}`)).toEqual({ data: null, error });
  });

  it("reads a step's data or final error and a failed attempt's error", async () => {
    const runs = new MemoryRunStore();
    const run = makeRun();
    await runs.createRun(run);
    await runs.commitTransition(run.runId, 0, {
      steps: [
        step(run.runId, "a", { value: { data: [1, 2] } }),
        step(run.runId, "b", { value: { error: { name: "E", message: "m" } } }),
      ],
      attempts: [attempt(run.runId, "c", 0, 0)],
      set: {},
      at: T0,
    });
    expect(await readSpanOutput(runs, `step:${run.runId}:a`)).toEqual({ data: "[1,2]", error: null });
    expect(await readSpanOutput(runs, `step:${run.runId}:b`)).toEqual({
      data: null,
      error: { name: "E", message: "m" },
    });
    expect(await readSpanOutput(runs, `attempt:${run.runId}:0`)).toMatchObject({
      error: { message: "failed 0" },
    });
  });

  it("refuses a malformed id with a 400 and an unknown one with a 404", async () => {
    const runs = new MemoryRunStore();
    await expect(readSpanOutput(runs, "nonsense")).rejects.toMatchObject({ status: 400 });
    await expect(readSpanOutput(runs, "attempt:R:x")).rejects.toMatchObject({ status: 400 });
    await expect(readSpanOutput(runs, `run:${makeRun().runId}`)).rejects.toMatchObject({ status: 404 });
    await expect(readSpanOutput(runs, `step:${makeRun().runId}:a`)).rejects.toMatchObject({ status: 404 });
  });
});

describe("run trace metadata routing", () => {
  it("puts metadata a step carries with run scope on the root span, not the step", () => {
    const run = makeRun({ firstAttemptAt: T0 });
    const s = step(run.runId, "h1", {
      metadata: [
        { kind: "userland.default", scope: "run", op: "set", values: { a: 1 }, updatedAt: T0 },
        { kind: "userland.mine", scope: "step", op: "set", values: { b: 2 }, updatedAt: T0 },
      ],
    });
    const trace = buildTrace(history(run, [s]), { now: T0 + 1 });
    expect(trace.metadata.map((m) => m.kind)).toEqual(["userland.default"]);
    expect(trace.children[0]?.metadata.map((m) => m.kind)).toEqual(["userland.mine"]);
  });
});
