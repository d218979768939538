/**
 * After a sync changed an app: each function's cron triggers get their schedules. A cron that
 * Scheduler can express gets one recurring `cron()` schedule; any other starts a chain of one-time
 * ticks (fireCron), stamped with the function's `updatedAt` so the chain of an earlier sync stops.
 */
import { toSchedulerCron } from "../../domain/schedulerCron.js";
import type { CronTrigger, FunctionRecord } from "../../domain/schemas.js";
import type { Clock, CronSchedule, CronSchedules, TimerService } from "../../ports/index.js";
import { mapLimited } from "../concurrency.js";
import { scheduleChainTick } from "./fireCron.js";

export interface CronSyncDeps {
  cronSchedules: CronSchedules;
  timers: TimerService;
  clock: Clock;
}

/** Scheduler calls in flight at once during one sync. */
const SYNC_CONCURRENCY = 8;

async function syncFunction(deps: CronSyncDeps, fn: FunctionRecord): Promise<void> {
  const recurring: CronSchedule[] = [];
  const chained: CronTrigger[] = [];
  for (const t of fn.triggers) {
    if (!("cron" in t)) continue;
    const scheduler = toSchedulerCron(t.cron);
    if (scheduler) recurring.push({ cron: t.cron, ...scheduler });
    else chained.push(t);
  }
  await deps.cronSchedules.sync(fn.slug, recurring);
  const now = deps.clock.now();
  for (const t of chained) await scheduleChainTick(deps, fn, t, now);
}

/** Schedules the synced functions' crons and removes the schedules of the functions dropped. */
export async function syncCronTriggers(
  deps: CronSyncDeps,
  functions: FunctionRecord[],
  removedSlugs: string[],
): Promise<void> {
  const syncs = [
    ...functions.map((fn) => () => syncFunction(deps, fn)),
    ...removedSlugs.map((slug) => () => deps.cronSchedules.sync(slug, [])),
  ];
  await mapLimited(syncs, SYNC_CONCURRENCY, (sync) => sync());
}
