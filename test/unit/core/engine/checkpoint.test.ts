/** Async checkpoints on the memory ports: stored once, refused for a stale job or past the limits. */
import { beforeEach, describe, expect, it } from "vitest";
import { memoryPorts } from "../../../../shared/adapters/memory/index.js";
import { ManualClock } from "../../../../shared/adapters/memory/ManualClock.js";
import { checkpointSteps } from "../../../../shared/core/engine/checkpoint.js";
import { type Job, jobId, type RunRecord } from "../../../../shared/domain/schemas.js";
import { LIMITS } from "../../../../shared/protocol/constants.js";
import { filler, makeRun, T0 } from "../../../fixtures/records.js";

let ports: ReturnType<typeof memoryPorts<ManualClock>>;
let run: RunRecord;
let job: Job;

const stepRun = (id: string, data: unknown) => ({ id, op: "StepRun", name: id, data });

beforeEach(async () => {
  ports = memoryPorts(new ManualClock(T0));
  const base = makeRun();
  job = {
    runId: base.runId,
    fnSlug: base.fnSlug,
    stepId: "step",
    attempt: 0,
    version: 0,
    partition: base.runId,
  };
  run = { ...base, next: [{ job }] };
  await ports.runs.createRun(run);
});

const checkpoint = (steps: Array<Record<string, unknown>>, qi = jobId(job)) =>
  checkpointSteps(ports, { runId: run.runId, jobId: qi, steps: steps as never });

describe("async checkpoints", () => {
  it("stores each step as {data} on the stack, and stores nothing twice when sent again", async () => {
    expect(await checkpoint([stepRun("a", 1), { id: "b", op: "StepPlanned" }])).toEqual({ status: 200 });
    expect(await checkpoint([stepRun("a", "again"), stepRun("c", 3)])).toEqual({ status: 200 });

    const state = await ports.runs.getRunState(run.runId);
    expect(state?.run.stack).toEqual(["a", "c"]);
    expect(state?.steps.map((s) => [s.stepId, s.value])).toEqual([
      ["a", { data: 1 }],
      ["c", { data: 3 }],
    ]);
    // The job still runs: its request goes on after the checkpoint.
    expect(state?.run.next).toEqual([{ job }]);
  });

  it("answers 409 for a job that is no longer pending, storing nothing", async () => {
    expect(await checkpoint([stepRun("a", 1)], "someone-else")).toMatchObject({ status: 409 });
    await ports.runs.commitTransition(run.runId, 0, {
      set: { status: "Cancelled", endedAt: T0, next: [] },
      at: T0,
    });
    expect(await checkpoint([stepRun("a", 1)])).toMatchObject({ status: 409 });
    expect(await ports.runs.getStep(run.runId, "a")).toBeUndefined();
  });

  it("takes an output of exactly 4 MiB and answers 413 for one a byte larger", async () => {
    // {"data":"…"} around the string: 11 bytes.
    const exact = filler(LIMITS.stepOutputMaxBytes - 11);
    expect(await checkpoint([stepRun("a", exact)])).toEqual({ status: 200 });
    expect(await checkpoint([stepRun("b", `${exact}x`)])).toMatchObject({ status: 413 });
  });

  it("fills the run's state to exactly 32 MiB and answers 413 past it", async () => {
    // {"data":null} is 13 bytes.
    await ports.runs.commitTransition(run.runId, 0, {
      set: { stateBytes: LIMITS.runStateMaxBytes - 13 },
      at: T0,
    });
    expect(await checkpoint([stepRun("a", "xxx")])).toMatchObject({ status: 413 }); // 14 bytes
    expect(await checkpoint([stepRun("a", null)])).toEqual({ status: 200 });
    expect(await checkpoint([stepRun("b", null)])).toMatchObject({ status: 413 });
  });

  it("records the defers the SDK drains into a checkpoint with its steps, once when sent again", async () => {
    const defer = { id: "d1", op: "DeferAdd", opts: { fn_slug: "app-later", input: { key: "k" } } };
    expect(await checkpoint([stepRun("a", 1), defer])).toEqual({ status: 200 });
    expect(await checkpoint([stepRun("a", 1), defer])).toEqual({ status: 200 });
    expect(await checkpoint([{ id: "d2", op: "DeferAbort", opts: { target_hashed_id: "d1" } }])).toEqual({
      status: 200,
    });

    const stored = await ports.runs.getRun(run.runId);
    expect(stored?.stack).toEqual(["a"]);
    expect(stored?.defers).toEqual({ d1: { fnSlug: "app-later", input: { key: "k" }, aborted: true } });
    expect(await checkpoint([{ id: "d3", op: "DeferAdd", opts: {} }])).toMatchObject({ status: 400 });
  });

  it("with defers: 409 for a stale job, and 413 past 20 defers (20 are taken), storing nothing", async () => {
    const defer = (i: number) => ({
      id: `d${i}`,
      op: "DeferAdd",
      opts: { fn_slug: "app-later", input: { i } },
    });
    expect(await checkpoint([stepRun("a", 1), defer(0)], "someone-else")).toMatchObject({ status: 409 });
    const twenty = Array.from({ length: LIMITS.maxDefers }, (_, i) => defer(i));
    expect(await checkpoint([stepRun("a", 1), ...twenty])).toEqual({ status: 200 });
    expect(await checkpoint([stepRun("b", 2), defer(LIMITS.maxDefers)])).toMatchObject({ status: 413 });
    expect(await ports.runs.getStep(run.runId, "b")).toBeUndefined();
    expect(Object.keys((await ports.runs.getRun(run.runId))?.defers ?? {})).toHaveLength(LIMITS.maxDefers);
  });

  it("refuses ops that end a request (sleeps, waits) with 400, naming the op", async () => {
    expect(await checkpoint([{ id: "s", op: "Sleep", name: "1h" }])).toEqual({
      status: 400,
      message: "Sleep ops cannot be checkpointed; return them in the response",
    });
  });
});
