import type { FunctionRecord, RunRecord } from "../types.js";

/**
 * The flow partition of a run = its FIFO MessageGroupId. Without flow control each run is its own
 * partition: runs proceed in parallel and one run's jobs stay ordered and never overlap.
 * Concurrency limits (a later feature) map runs onto a bounded set of slot partitions per key.
 */
export function flowPartition(_fn: FunctionRecord, run: Pick<RunRecord, "runId">): string {
  return run.runId;
}
