/**
 * A run's pending jobs (`run.next`): every job dispatched or due and not yet committed. Several
 * may be pending at once (one per planned step of a fan-out, plus a discovery); a job may run only
 * while it is listed. See core/engine/README.md for the whole design.
 */
import { type Job, jobId, type RunRecord, type ScheduledJob } from "../../domain/schemas.js";
import { DISCOVERY_STEP, isDiscovery, newJob } from "./partition.js";

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

/**
 * Whether a result just stored should be followed by a discovery, given the pending jobs: not
 * when one is pending already, nor while planned steps of a fan-out still run (the last of them
 * brings it: the official server's fan-in for request version 2). A step of a race
 * (`parallelMode: "race"`) does not wait for its siblings. A sleep's wake-up holds back the
 * fan-in of steps, but not a resumed wait (a wait racing a sleep resolves when its event comes).
 */
export function discoveryDue(
  next: readonly ScheduledJob[],
  opts: { race?: boolean; wakesHold?: boolean } = {},
): boolean {
  if (next.some((j) => isDiscovery(j.job))) return false;
  if (opts.race) return true;
  const wakesHold = opts.wakesHold ?? true;
  return !pendingSteps(next).some((j) => wakesHold || j.job.wake !== true);
}

/** The pending jobs after a result stored from outside a job (a resumed wait). */
export function afterResult(run: Pick<RunRecord, "runId" | "fnSlug" | "version" | "next">): ScheduledJob[] {
  const due = discoveryDue(run.next, { wakesHold: false });
  return due ? [...run.next, newJob(run, run.version + 1, { stepId: DISCOVERY_STEP })] : [...run.next];
}
