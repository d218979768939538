import type { TimerService, WorkQueue } from "../../ports/index.js";
import type { ScheduledJob } from "../types.js";

/** Jobs due within this margin go straight to the work queue (clock noise, not a delay). */
const IMMEDIATE_MARGIN_MS = 50;

/** Sends follow-up jobs: due ones to the FIFO work queue, later ones through the timers. */
export async function dispatchJobs(
  deps: { work: WorkQueue; timers: TimerService; now: () => number },
  jobs: ScheduledJob[],
): Promise<void> {
  const now = deps.now();
  const immediate = jobs.filter((j) => !j.dueAt || j.dueAt <= now + IMMEDIATE_MARGIN_MS).map((j) => j.job);
  const later = jobs.filter((j) => j.dueAt && j.dueAt > now + IMMEDIATE_MARGIN_MS);
  await Promise.all([
    immediate.length ? deps.work.send(immediate) : Promise.resolve(),
    ...later.map((j) => deps.timers.schedule({ kind: "job", job: j.job }, j.dueAt ?? now)),
  ]);
}
