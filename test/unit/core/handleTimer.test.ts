import { describe, expect, it } from "vitest";
import { dispatchJobs } from "../../../shared/core/scheduling/dispatch.js";
import { handleTimer } from "../../../shared/core/timers/handleTimer.js";
import type { Job, TimerItem } from "../../../shared/domain/schemas.js";
import type { RunStore, TimerService, WorkQueue } from "../../../shared/ports/index.js";

const job: Job = { runId: "r", fnSlug: "f", stepId: "step", attempt: 1, version: 2, partition: "r" };

/** Recording stand-ins for the two outbound ports (pure routing logic under test, not AWS). */
function recorders() {
  const sent: Job[][] = [];
  const scheduled: { item: TimerItem; dueAt: number }[] = [];
  const work: WorkQueue = { send: async (jobs) => void sent.push(jobs) };
  const timers: TimerService = { schedule: async (item, dueAt) => void scheduled.push({ item, dueAt }) };
  const unused = () => Promise.reject(new Error("not used by these tests"));
  const runs: RunStore = {
    createRun: unused,
    getRun: unused,
    getRunState: unused,
    commitTransition: unused,
    listRunsForEvent: unused,
    listStalledRuns: unused,
  };
  return { sent, scheduled, work, timers, runs };
}

describe("handleTimer", () => {
  it("delivers a due item to the work queue", async () => {
    const r = recorders();
    const result = await handleTimer(
      { ...r, clock: { now: () => 10_000 } },
      { item: { kind: "job", job }, dueAt: 10_500 },
    );
    expect(result).toBe("delivered");
    expect(r.sent).toEqual([[job]]);
    expect(r.scheduled).toEqual([]);
  });

  it("delays an early item again for the remainder", async () => {
    const r = recorders();
    const result = await handleTimer(
      { ...r, clock: { now: () => 10_000 } },
      { item: { kind: "job", job }, dueAt: 100_000 },
    );
    expect(result).toBe("redelayed");
    expect(r.scheduled).toEqual([{ item: { kind: "job", job }, dueAt: 100_000 }]);
    expect(r.sent).toEqual([]);
  });
});

describe("dispatchJobs", () => {
  it("sends due jobs together and routes later ones through the timers", async () => {
    const r = recorders();
    const later = { ...job, attempt: 2 };
    await dispatchJobs({ ...r, clock: { now: () => 1000 } }, [
      { job },
      { job: { ...job, stepId: "b" }, dueAt: 1020 },
      { job: later, dueAt: 60_000 },
    ]);
    expect(r.sent).toEqual([[job, { ...job, stepId: "b" }]]);
    expect(r.scheduled).toEqual([{ item: { kind: "job", job: later }, dueAt: 60_000 }]);
  });

  it("routes a job due in one second through the timers", async () => {
    const r = recorders();
    await dispatchJobs({ ...r, clock: { now: () => 1000 } }, [{ job, dueAt: 2000 }]);
    expect(r.sent).toEqual([]);
    expect(r.scheduled).toEqual([{ item: { kind: "job", job }, dueAt: 2000 }]);
  });
});
