import type { CronSchedule, CronSchedules } from "../../ports/index.js";

/** Cron schedules in a map, one per (function, cron) as on Scheduler; tests read them back. */
export class MemoryCronSchedules implements CronSchedules {
  private readonly byFunction = new Map<string, Map<string, CronSchedule>>();

  async sync(fnSlug: string, schedules: CronSchedule[]): Promise<void> {
    if (schedules.length === 0) this.byFunction.delete(fnSlug);
    else this.byFunction.set(fnSlug, new Map(schedules.map((s) => [s.cron, structuredClone(s)])));
  }

  /** The function's schedules, ordered by cron. */
  list(fnSlug: string): CronSchedule[] {
    return [...(this.byFunction.get(fnSlug)?.values() ?? [])]
      .map((s) => structuredClone(s))
      .sort((a, b) => (a.cron < b.cron ? -1 : a.cron > b.cron ? 1 : 0));
  }

  /** Functions with at least one schedule. */
  functions(): string[] {
    return [...this.byFunction.keys()].sort();
  }
}
