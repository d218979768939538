import type { Job, RunRecord, ScheduledJob } from "../../domain/schemas.js";

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

/**
 * The discovery that goes on with a run resumed from outside a job (a matched event, a wait's
 * timeout, a signal): the run's own partition, at the version the resume commits.
 */
export function resumeJob(run: Pick<RunRecord, "runId" | "fnSlug" | "version">): ScheduledJob {
  return {
    job: {
      runId: run.runId,
      fnSlug: run.fnSlug,
      stepId: "step",
      attempt: 0,
      version: run.version + 1,
      partition: run.runId,
    },
  };
}
