import type { ScheduledJob } from "../../domain/schemas.js";
import type { Clock, TimerService, WorkQueue } from "../../ports/index.js";

export interface DispatchDeps {
  work: WorkQueue;
  timers: TimerService;
  clock: Clock;
}

/** Jobs due within this margin go straight to the work queue (clock noise, not a delay). */
const IMMEDIATE_MARGIN_MS = 50;

/**
 * Sends jobs: due ones to the FIFO work queue (in order, so a group's jobs keep their order), later
 * ones through the timers. Every job of the engine, the runner and the recovery sweep leaves here.
 */
export async function dispatchJobs(deps: DispatchDeps, jobs: ScheduledJob[]): Promise<void> {
  const now = deps.clock.now();
  const isLater = (j: ScheduledJob) => j.dueAt !== undefined && j.dueAt > now + IMMEDIATE_MARGIN_MS;
  const immediate = jobs.filter((j) => !isLater(j)).map((j) => j.job);
  const later = jobs.filter(isLater);
  await Promise.all([
    immediate.length ? deps.work.send(immediate) : Promise.resolve(),
    ...later.map((j) => deps.timers.schedule({ kind: "job", job: j.job }, j.dueAt ?? now)),
  ]);
}
