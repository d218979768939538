import type { Job, RunRecord, ScheduledJob } from "../../domain/schemas.js";

/**
 * Jobs and their partitions (the FIFO MessageGroupId): a run's discoveries share the run's own
 * partition (one at a time, in order) and each planned step has a partition of its own, so a
 * fan-out runs side by side while runs proceed in parallel. Flow control does not use partitions:
 * a job carries its run's concurrency limits and score (core/flow/concurrency.ts).
 */

/** The job of a discovery request (`stepId=step`): it runs the function. */
export const DISCOVERY_STEP = "step";

export function isDiscovery(job: Job): boolean {
  return job.stepId === DISCOVERY_STEP;
}

/** The FIFO message group of a run's job: the run's own for a discovery, its own for a step. */
export function jobPartition(runId: string, stepId: string): string {
  return stepId === DISCOVERY_STEP ? runId : `${runId}~${stepId}`;
}

/** A new job of the run, created by the commit that makes `version`. */
export function newJob(
  run: Pick<RunRecord, "runId" | "fnSlug" | "flow">,
  version: number,
  spec: { stepId: string; attempt?: number; dueAt?: number; race?: boolean; wake?: boolean },
): ScheduledJob {
  const job: Job = {
    runId: run.runId,
    fnSlug: run.fnSlug,
    stepId: spec.stepId,
    attempt: spec.attempt ?? 0,
    version,
    partition: jobPartition(run.runId, spec.stepId),
    ...(spec.race ? { race: true as const } : {}),
    ...(spec.wake ? { wake: true as const } : {}),
    ...(run.flow?.limits?.length ? { limits: run.flow.limits } : {}),
    ...(run.flow?.score !== undefined ? { score: run.flow.score } : {}),
  };
  return { job, ...(spec.dueAt ? { dueAt: spec.dueAt } : {}) };
}

/**
 * The first job of a new run: a discovery, due at `startAt` when that lies in the future (an event
 * with a future `ts`, SEMANTICS 8).
 */
export function startJob(run: Pick<RunRecord, "runId" | "fnSlug" | "flow">, startAt?: number): ScheduledJob {
  return newJob(run, 0, {
    stepId: DISCOVERY_STEP,
    ...(startAt !== undefined ? { dueAt: startAt } : {}),
  });
}
