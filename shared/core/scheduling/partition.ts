import type { FunctionRecord, Job, RunRecord, ScheduledJob } from "../../domain/schemas.js";

/**
 * The flow partition of a run = its FIFO MessageGroupId. Without flow control each run is its own
 * partition: runs proceed in parallel and one run's jobs stay ordered and never overlap.
 * Concurrency limits (issue 13) map runs onto a bounded set of slot partitions per key here.
 */
export function flowPartition(_fn: FunctionRecord, run: Pick<RunRecord, "runId">): string {
  return run.runId;
}

/**
 * The first job of a new run: a discovery request in the run's flow partition, due at `startAt`
 * when that lies in the future (an event with a future `ts`, SEMANTICS 8). Throttle, debounce,
 * batching and priority (issue 13) decide the partition and the start time here.
 */
export function startJob(fn: FunctionRecord, run: Pick<RunRecord, "runId">, startAt?: number): ScheduledJob {
  const job: Job = {
    runId: run.runId,
    fnSlug: fn.slug,
    stepId: "step",
    attempt: 0,
    version: 0,
    partition: flowPartition(fn, run),
  };
  return { job, ...(startAt !== undefined ? { dueAt: startAt } : {}) };
}
