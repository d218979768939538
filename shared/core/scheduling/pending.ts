/**
 * A run's pending jobs (`run.next`): every job dispatched or due and not yet committed. Several
 * may be pending at once (one per planned step of a fan-out, plus a discovery); a job may run only
 * while it is listed. See core/engine/README.md for the whole design.
 */
import { type Job, jobId, type RunRecord, type ScheduledJob } from "../../domain/schemas.js";

/** The job of a discovery request (`stepId=step`): it runs the function. */
export const DISCOVERY_STEP = "step";

export function isDiscovery(job: Job): boolean {
  return job.stepId === DISCOVERY_STEP;
}

/**
 * The FIFO message group of a run's job. Discoveries keep the run's own group (one at a time, in
 * order); each planned step gets a group of its own, so a fan-out runs side by side. Flow control
 * (issue 13) maps these onto its partitions here.
 */
export function jobPartition(runId: string, stepId: string): string {
  return stepId === DISCOVERY_STEP ? runId : `${runId}~${stepId}`;
}

/** Whether `job` is still pending on the run (and so may run and commit). */
export function isPending(run: Pick<RunRecord, "next">, job: Job): boolean {
  const id = jobId(job);
  return run.next.some((j) => jobId(j.job) === id);
}

/** The pending jobs without `job`. */
export function withoutJob(next: readonly ScheduledJob[], job: Job): ScheduledJob[] {
  const id = jobId(job);
  return next.filter((j) => jobId(j.job) !== id);
}

/** Jobs in `after` that were not pending in `before`: what a commit must send. */
export function addedJobs(before: readonly ScheduledJob[], after: readonly ScheduledJob[]): ScheduledJob[] {
  const known = new Set(before.map((j) => jobId(j.job)));
  return after.filter((j) => !known.has(jobId(j.job)));
}

/** Pending planned steps (targeted jobs), other than `except`. */
export function pendingSteps(next: readonly ScheduledJob[], except?: Job): ScheduledJob[] {
  const skip = except ? jobId(except) : undefined;
  return next.filter((j) => !isDiscovery(j.job) && jobId(j.job) !== skip);
}

/** Job ids of the pending jobs (stored beside `next` so a checkpoint can check its job blind). */
export function pendingIds(next: readonly ScheduledJob[]): string[] {
  return next.map((j) => jobId(j.job));
}

/** A new job of the run, created by the commit that makes `version`. */
export function newJob(
  run: Pick<RunRecord, "runId" | "fnSlug">,
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
  };
  return { job, ...(spec.dueAt ? { dueAt: spec.dueAt } : {}) };
}

/**
 * The pending jobs after a result stored from outside a job (a resumed wait): a discovery, unless
 * one is pending already or planned steps still run (the last of them brings it).
 */
export function afterResult(run: Pick<RunRecord, "runId" | "fnSlug" | "version" | "next">): ScheduledJob[] {
  // A sleep's wake-up does not hold the discovery back: a wait racing a sleep resolves now.
  const busy =
    run.next.some((j) => isDiscovery(j.job)) || pendingSteps(run.next).some((j) => j.job.wake !== true);
  return busy ? [...run.next] : [...run.next, newJob(run, run.version + 1, { stepId: DISCOVERY_STEP })];
}
