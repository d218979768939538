import { beforeEach, describe, expect, it } from "vitest";
import { type MemoryPorts, memoryPorts } from "../../../shared/adapters/memory/index.js";
import { ManualClock } from "../../../shared/adapters/memory/ManualClock.js";
import { recoverStalledRuns } from "../../../shared/core/recovery/sweep.js";
import type { Job, ScheduledJob } from "../../../shared/domain/schemas.js";
import type { RunStore } from "../../../shared/ports/index.js";
import { makeJob } from "../../fixtures/jobs.js";
import { makeRun, T0 } from "../../fixtures/records.js";

const CUTOFF = T0 - 60_000;

let ports: MemoryPorts<ManualClock>;

beforeEach(() => {
  ports = memoryPorts(new ManualClock(T0));
});

/** A Running run with `next` pending (each job due before the cutoff unless given a dueAt). */
async function stalledRun(next: (runId: string) => ScheduledJob[]): Promise<Job[]> {
  const run = makeRun({ startedAt: CUTOFF - 10_000, updatedAt: CUTOFF - 10_000 });
  const jobs = next(run.runId);
  await ports.runs.createRun({ ...run, next: jobs });
  return jobs.map((j) => j.job);
}

const oneJob = (runId: string): ScheduledJob[] => [{ job: makeJob({ runId, partition: runId, version: 0 }) }];

const sentJobs = () => ports.work.drain().map((q) => q.job);

describe("recoverStalledRuns", () => {
  it("re-dispatches the pending jobs of every stalled run, page after page", async () => {
    const expected: Job[] = [];
    for (let i = 0; i < 7; i++) expected.push(...(await stalledRun(oneJob)));

    const result = await recoverStalledRuns(ports, { dueBefore: CUTOFF, pageSize: 2 });

    expect(result).toEqual({ runs: 7, jobs: 7, truncated: false });
    const sent = sentJobs();
    expect(sent).toHaveLength(7);
    expect(sent).toEqual(expect.arrayContaining(expected));
  });

  it("stops after maxRuns and reports the sweep as truncated", async () => {
    for (let i = 0; i < 5; i++) await stalledRun(oneJob);

    const result = await recoverStalledRuns(ports, { dueBefore: CUTOFF, pageSize: 2, maxRuns: 3 });

    expect(result).toEqual({ runs: 3, jobs: 3, truncated: true });
    expect(sentJobs()).toHaveLength(3);
  });

  it("counts every pending job of a run, and routes those due later through the timers", async () => {
    const later = T0 + 3_600_000;
    const [now, afterwards] = await stalledRun((runId) => {
      const job = makeJob({ runId, partition: runId, version: 0 });
      return [{ job }, { job: { ...job, stepId: "later" }, dueAt: later }];
    });

    const result = await recoverStalledRuns(ports, { dueBefore: CUTOFF });

    expect(result).toEqual({ runs: 1, jobs: 2, truncated: false });
    expect(sentJobs()).toEqual([now]);
    expect(ports.timers.pending()).toEqual([{ item: { kind: "job", job: afterwards }, dueAt: later }]);
  });

  it("ignores runs that finished and runs not yet overdue", async () => {
    const [finished] = await stalledRun(oneJob);
    if (!finished) throw new Error("no job");
    await ports.runs.commitTransition(finished.runId, 0, {
      set: { status: "Failed", endedAt: CUTOFF, next: [] },
      at: CUTOFF - 5000,
    });
    const fresh = makeRun({ startedAt: CUTOFF, updatedAt: CUTOFF });
    await ports.runs.createRun({ ...fresh, next: oneJob(fresh.runId) });

    const result = await recoverStalledRuns(ports, { dueBefore: CUTOFF });

    expect(result).toEqual({ runs: 0, jobs: 0, truncated: false });
    expect(ports.work.sent()).toEqual([]);
  });

  it("skips a listed run that has no pending job left (a lagging index)", async () => {
    const [job] = await stalledRun(oneJob);
    const lagging: RunStore = {
      getRunHistory: (id) => ports.runs.getRunHistory(id),
      getStep: (id, stepId) => ports.runs.getStep(id, stepId),
      addMetadata: (records) => ports.runs.addMetadata(records),
      addUserlandSpans: (spans) => ports.runs.addUserlandSpans(spans),
      listRuns: (q, page) => ports.runs.listRuns(q, page),
      countRuns: (q) => ports.runs.countRuns(q),
      createRun: (run, key) => ports.runs.createRun(run, key),
      getRun: (id) => ports.runs.getRun(id),
      getRunState: (id) => ports.runs.getRunState(id),
      commitTransition: (id, v, t) => ports.runs.commitTransition(id, v, t),
      appendSteps: (id, a) => ports.runs.appendSteps(id, a),
      completeStep: (id, c) => ports.runs.completeStep(id, c),
      listRunsForEvent: (id) => ports.runs.listRunsForEvent(id),
      async listStalledRuns(dueBefore, page) {
        const listed = await ports.runs.listStalledRuns(dueBefore, page);
        return { ...listed, runs: [{ runId: "01RDONE", version: 3, next: [] }, ...listed.runs] };
      },
    };

    const result = await recoverStalledRuns({ ...ports, runs: lagging }, { dueBefore: CUTOFF });

    expect(result).toEqual({ runs: 1, jobs: 1, truncated: false });
    expect(sentJobs()).toEqual([job]);
  });
});
