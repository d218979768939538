import type { Clock, RunStore } from "../../ports/index.js";
import { type DispatchDeps, dispatchJobs } from "../scheduling/dispatch.js";

export interface SweepDeps extends DispatchDeps {
  runs: RunStore;
  clock: Clock;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export interface SweepResult {
  /** Runs whose pending jobs were sent again. */
  runs: number;
  jobs: number;
  /** True when `maxRuns` stopped the sweep before the last page. */
  truncated: boolean;
}

/**
 * The recovery sweep: every Running run whose pending jobs fell due before `dueBefore` gets those
 * jobs dispatched again. A run's pending jobs (`next`) are written in the same commit as the
 * transition that made them, and jobs are versioned with deterministic deduplication ids, so a
 * copy of a job that still exists is harmless: the FIFO queue drops it within five minutes, and
 * later the executor finds it stale. This repairs runs whose job was lost: a restarted
 * `tideline dev` (the emulator's queues start empty), or a job moved to the DLQ by an outage.
 */
export async function recoverStalledRuns(
  deps: SweepDeps,
  opts: { dueBefore: number; maxRuns?: number; pageSize?: number },
): Promise<SweepResult> {
  const maxRuns = opts.maxRuns ?? 10_000;
  const result: SweepResult = { runs: 0, jobs: 0, truncated: false };
  let cursor: string | undefined;
  do {
    const page = await deps.runs.listStalledRuns(opts.dueBefore, {
      limit: Math.min(opts.pageSize ?? 100, maxRuns - result.runs),
      ...(cursor ? { cursor } : {}),
    });
    const pending = page.runs.filter((r) => r.next.length > 0);
    await dispatchJobs(
      deps,
      pending.flatMap((r) => r.next),
    );
    result.runs += pending.length;
    result.jobs += pending.reduce((n, r) => n + r.next.length, 0);
    cursor = page.cursor;
    if (cursor && result.runs >= maxRuns) {
      result.truncated = true;
      break;
    }
  } while (cursor);
  if (result.runs > 0) deps.log?.("recovery sweep re-dispatched pending jobs", { ...result });
  return result;
}
