import type { Job, ScheduledJob } from "../../domain/schemas.js";

/**
 * The job that follows `job` once its transition commits: same run and flow partition, the next
 * state version. Flow control (issue 13) may move jobs to other partitions; it does so here.
 */
export function followUp(job: Job, next: { stepId: string; attempt: number; dueAt?: number }): ScheduledJob {
  return {
    job: { ...job, stepId: next.stepId, attempt: next.attempt, version: job.version + 1 },
    ...(next.dueAt ? { dueAt: next.dueAt } : {}),
  };
}
