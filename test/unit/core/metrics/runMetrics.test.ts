import { beforeEach, describe, expect, it } from "vitest";
import { type MemoryPorts, memoryPorts } from "../../../../shared/adapters/memory/index.js";
import { ManualClock } from "../../../../shared/adapters/memory/ManualClock.js";
import { type ExecutorDeps, executeJob } from "../../../../shared/core/engine/executeJob.js";
import { createRun } from "../../../../shared/core/runner/createRun.js";
import { cancelRun } from "../../../../shared/core/runs/cancel.js";
import { countingRunStore } from "../../../../shared/core/runs/runMetrics.js";
import type { FunctionRecord, Job, RunRecord } from "../../../../shared/domain/schemas.js";
import type { RunStore } from "../../../../shared/ports/index.js";
import { makeApp, makeEvent, makeFunction, makeRun, T0 } from "../../../fixtures/records.js";
import { complete, fakeSdk, ops, type SdkReply, stepRun } from "../../../fixtures/sdk.js";
import { randomSuffix } from "../../../helpers/randomSuffix.js";
import { type RecordingMetrics, recordingMetrics } from "./recording.js";

const once = { receiveCount: 1, remainingMs: 60_000 };
const redelivered = { receiveCount: 2, remainingMs: 60_000 };

let ports: MemoryPorts<ManualClock>;
let metrics: RecordingMetrics;
/** The run store the core sees: the memory store, counting. */
let runs: RunStore;
let fn: FunctionRecord;

beforeEach(async () => {
  ports = memoryPorts(new ManualClock(T0));
  metrics = recordingMetrics();
  runs = countingRunStore(ports.runs, metrics);
  const appId = `app-${randomSuffix()}`;
  fn = makeFunction(appId, "fn", ["test/event"], { retries: 0 });
  await ports.registry.putAppSync(makeApp(appId, [fn]), [fn]);
});

const newRunId = () => `01R${randomSuffix(23).toUpperCase()}`;

/** A Running run of `fn` stored directly (uncounted), with its first job pending. */
async function storedRun(): Promise<{ run: RunRecord; start: Job }> {
  const runId = newRunId();
  const start: Job = { runId, fnSlug: fn.slug, stepId: "step", attempt: 0, version: 0, partition: runId };
  const run = makeRun({ runId, fnSlug: fn.slug, appId: fn.appId, next: [{ job: start }] });
  await ports.runs.createRun(run);
  return { run, start };
}

/** Executor deps over the counting store, whose app answers `answer`; each request takes 42 ms. */
function executor(answer: () => SdkReply): ExecutorDeps {
  const sdk = fakeSdk(
    async () => {
      ports.clock.advance(42);
      return answer();
    },
    { nowSeconds: Math.floor(T0 / 1000) },
  );
  return { ...ports, runs, http: sdk.http, signingKeys: [], random: () => 0.5, metrics };
}

/** A stored run's first job, whose app runs one step: the run goes on. */
async function executeOneStep(): Promise<void> {
  const { start } = await storedRun();
  await executeJob(
    executor(() => ops(stepRun("h1", "one"))),
    start,
    once,
  );
}

describe("countingRunStore", () => {
  it("counts a run started when createRun stores it Running", async () => {
    const created = await createRun(
      { ...ports, runs },
      { fn, runId: newRunId(), eventId: "e1", events: [makeEvent()] },
    );

    expect(created).toMatchObject({ result: "created", status: "started" });
    expect(metrics.counts).toEqual({ runsStarted: 1 });
  });

  it("does not count the run again when the same event is delivered again", async () => {
    const spec = { fn, runId: newRunId(), eventId: "e1", events: [makeEvent()] };
    await createRun({ ...ports, runs }, spec);

    const again = await createRun({ ...ports, runs }, spec);

    expect(again).toMatchObject({ result: "exists" });
    expect(metrics.counts).toEqual({ runsStarted: 1 });
  });

  it("does not count a Skipped run as started", async () => {
    const skipped = await createRun(
      { ...ports, runs },
      { fn, runId: newRunId(), eventId: "e1", events: [makeEvent()], skipped: { reason: "rateLimit" } },
    );

    expect(skipped).toMatchObject({ result: "created", status: "skipped" });
    expect(metrics.counts).toEqual({});
  });

  it("counts a completed run once, even when its job is delivered again", async () => {
    const { run, start } = await storedRun();
    const deps = executor(() => complete({ ok: 1 }));

    await executeJob(deps, start, once);
    expect(await executeJob(deps, start, redelivered)).not.toBe("applied");

    expect(await ports.runs.getRun(run.runId)).toMatchObject({ status: "Completed" });
    expect(metrics.counts).toMatchObject({ runsCompleted: 1 });
    expect(metrics.counts.runsFailed).toBeUndefined();
  });

  it("counts a failed run when its last attempt fails", async () => {
    const { run, start } = await storedRun();

    await executeJob(
      executor(() => ({ status: 500, body: { name: "Error", message: "boom" } })),
      start,
      once,
    );

    expect(await ports.runs.getRun(run.runId)).toMatchObject({ status: "Failed" });
    expect(metrics.counts).toMatchObject({ runsFailed: 1 });
    expect(metrics.counts.runsCompleted).toBeUndefined();
  });

  it("counts a cancelled run once, however often it is cancelled", async () => {
    const { run } = await storedRun();

    await cancelRun({ ...ports, runs }, run.runId, "api");
    await cancelRun({ ...ports, runs }, run.runId, "api");

    expect(metrics.counts).toEqual({ runsCancelled: 1 });
  });

  it("counts nothing when the final commit loses its version race", async () => {
    const { run } = await storedRun();
    await ports.runs.commitTransition(run.runId, 0, { set: {}, at: T0 });

    const committed = await runs.commitTransition(run.runId, 0, {
      set: { status: "Completed", endedAt: T0, next: [] },
      at: T0,
    });

    expect(committed).toBe(false);
    expect(metrics.counts).toEqual({});
  });

  it("counts no run end for a transition that keeps the run going", async () => {
    await executeOneStep();

    expect(metrics.counts).toEqual({ stepsExecuted: 1 });
  });

  it("reads through to the store for everything else", async () => {
    const { run } = await storedRun();

    expect(await runs.getRun(run.runId)).toEqual(await ports.runs.getRun(run.runId));
  });
});

describe("executor step metrics", () => {
  it("counts each SDK request as a step executed with its latency", async () => {
    await executeOneStep();

    expect(metrics.counts.stepsExecuted).toBe(1);
    expect(metrics.durations).toEqual({ stepLatency: [42] });
  });

  it("counts a request that got no answer, with the time it took", async () => {
    const { start } = await storedRun();
    const deps: ExecutorDeps = {
      ...executor(() => complete(null)),
      http: async () => {
        ports.clock.advance(1_000);
        throw new Error("connect ECONNREFUSED");
      },
    };

    await executeJob(deps, start, once);

    expect(metrics.counts.stepsExecuted).toBe(1);
    expect(metrics.durations).toEqual({ stepLatency: [1_000] });
  });
});
