import { NotFoundError } from "../../domain/errors.js";
import type { RunRecord } from "../../domain/schemas.js";
import type { RunStore } from "../../ports/index.js";
import { type DispatchDeps, dispatchCommitted } from "../scheduling/dispatch.js";
import { CANCELLED_ERROR, withFinish } from "./finish.js";

export interface CancelDeps extends DispatchDeps {
  runs: RunStore;
}

/** Attempts at a cancel commit that loses races to the run's own progress. */
const CANCEL_ATTEMPTS = 10;

/**
 * Ends a Running run as Cancelled (SEMANTICS 5.8–5.10): a step already executing finishes but its
 * result is stale (the executor skips jobs of a run that is not Running, and a commit at the old
 * version fails), its pending sleep's wake-up, wait and timeouts are discarded with its pauses,
 * and `function.cancelled` and `function.finished` go out. `by` says who cancelled (kept on the
 * run). A run that already ended is returned as is, and so is one `spare` says to leave alone:
 * it is asked again of the run read at every attempt, since the run may change under a lost race.
 */
export async function cancelRun(
  deps: CancelDeps,
  runId: string,
  by: string,
  spare: (run: RunRecord) => boolean = () => false,
): Promise<RunRecord> {
  for (let i = 0; i < CANCEL_ATTEMPTS; i++) {
    const run = await deps.runs.getRun(runId);
    if (!run) throw new NotFoundError(`run ${runId} not found`);
    if (run.status !== "Running" || spare(run)) return run;
    const now = deps.clock.now();
    const transition = withFinish(
      run,
      {
        set: { status: "Cancelled", endedAt: now, next: [], error: CANCELLED_ERROR, cancelledBy: by },
        at: now,
      },
      now,
    );
    if (await deps.runs.commitTransition(run.runId, run.version, transition)) {
      await dispatchCommitted(deps, { outbox: transition.set.outbox });
      return { ...run, ...transition.set, version: run.version + 1, updatedAt: now };
    }
  }
  throw new Error(`run ${runId}: cancel kept losing to concurrent transitions`);
}
