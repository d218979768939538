import { beforeEach, describe, expect, it } from "vitest";
import { type MemoryPorts, memoryPorts } from "../../../shared/adapters/memory/index.js";
import { ManualClock } from "../../../shared/adapters/memory/ManualClock.js";
import { dispatchJobs } from "../../../shared/core/scheduling/dispatch.js";
import { SWEEP_GRACE_MS } from "../../../shared/core/scheduling/timerKinds.js";
import { handleTimer } from "../../../shared/core/timers/handleTimer.js";
import type { Job, RunRecord } from "../../../shared/domain/schemas.js";
import { makeJob } from "../../fixtures/jobs.js";
import { makeRun, T0 } from "../../fixtures/records.js";

const MINUTE = 60_000;

let ports: MemoryPorts<ManualClock>;
let job: Job;

beforeEach(() => {
  ports = memoryPorts(new ManualClock(T0));
  job = makeJob({ attempt: 1, version: 2 });
});

/** A Running run whose one pending job fell due at `dueAt`; returns that job. */
async function runDueAt(dueAt: number): Promise<Job> {
  const run: RunRecord = makeRun({ startedAt: dueAt - MINUTE, updatedAt: dueAt - MINUTE });
  const pending = makeJob({ runId: run.runId, partition: run.runId, version: 0 });
  await ports.runs.createRun({ ...run, next: [{ job: pending, dueAt }] });
  return pending;
}

const sentJobs = () => ports.work.drain().map((q) => q.job);

describe("handleTimer", () => {
  it("delivers a due job to the work queue", async () => {
    expect(await handleTimer(ports, { item: { kind: "job", job }, dueAt: T0 })).toBe("delivered");
    expect(sentJobs()).toEqual([job]);
    expect(ports.timers.pending()).toEqual([]);
  });

  it("holds a job up to one second early for the rest of its wait, then delivers it", async () => {
    const waited: number[] = [];
    const wait = async (ms: number) => {
      waited.push(ms);
      ports.clock.advance(ms);
    };
    expect(await handleTimer({ ...ports, wait }, { item: { kind: "job", job }, dueAt: T0 + 1000 })).toBe(
      "delivered",
    );
    expect(waited).toEqual([1000]);
    expect(sentJobs()).toEqual([job]);
  });

  it("delays a job more than a second early again for the remainder", async () => {
    const message = { item: { kind: "job" as const, job }, dueAt: T0 + 1001 };
    expect(await handleTimer(ports, message)).toBe("redelayed");
    expect(ports.timers.pending()).toEqual([message]);
    expect(ports.work.sent()).toEqual([]);
  });

  it("re-dispatches on a sweep the jobs of runs overdue past the grace period, and leaves the rest", async () => {
    const stalled = await runDueAt(T0 - SWEEP_GRACE_MS - 1);
    await runDueAt(T0 - SWEEP_GRACE_MS); // overdue, but a delivery may still be in flight
    await runDueAt(T0 - 5 * MINUTE);
    await ports.runs.createRun(makeRun({ startedAt: T0 - 2 * SWEEP_GRACE_MS, next: [] }));

    expect(await handleTimer(ports, { item: { kind: "sweep" }, dueAt: T0 })).toBe("delivered");

    expect(sentJobs()).toEqual([stalled]);
  });

  it("leaves finished runs alone on a sweep", async () => {
    const finished = await runDueAt(T0 - 2 * SWEEP_GRACE_MS);
    await ports.runs.commitTransition(finished.runId, 0, {
      set: { status: "Completed", endedAt: T0, next: [] },
      at: T0 - SWEEP_GRACE_MS * 2,
    });

    await handleTimer(ports, { item: { kind: "sweep" }, dueAt: T0 });

    expect(ports.work.sent()).toEqual([]);
  });

  it("uses the sweep item's dueBefore instead of the grace period", async () => {
    const recent = await runDueAt(T0 - 5 * MINUTE);
    await runDueAt(T0 - 30_000);

    await handleTimer(ports, { item: { kind: "sweep", dueBefore: T0 - MINUTE }, dueAt: T0 });

    expect(sentJobs()).toEqual([recent]);
  });
});

describe("dispatchJobs", () => {
  it("sends due jobs together and routes later ones through the timers", async () => {
    const later = { ...job, attempt: 2 };
    await dispatchJobs(ports, [
      { job },
      { job: { ...job, stepId: "b" }, dueAt: T0 + 20 },
      { job: later, dueAt: T0 + MINUTE },
    ]);
    expect(sentJobs()).toEqual([job, { ...job, stepId: "b" }]);
    expect(ports.timers.pending()).toEqual([{ item: { kind: "job", job: later }, dueAt: T0 + MINUTE }]);
  });

  it("routes a job due in one second through the timers", async () => {
    await dispatchJobs(ports, [{ job, dueAt: T0 + 1000 }]);
    expect(ports.work.sent()).toEqual([]);
    expect(ports.timers.pending()).toEqual([{ item: { kind: "job", job }, dueAt: T0 + 1000 }]);
  });
});
