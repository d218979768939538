/**
 * Bulk cancellations (SEMANTICS 5.10): a stored record cancels the Running runs of one function
 * started in a window whose triggering event matches its `if`. The runs that exist when it is
 * made are cancelled by its timer, a page at a time (each page schedules the next); runs the
 * runner creates later inside the window are cancelled as they are created (startRuns).
 */
import { NotFoundError } from "../../domain/errors.js";
import type { InngestEvent } from "../../domain/schemas.js";
import { evaluateBoolean } from "../../expressions/index.js";
import type { CancellationRecord, CancellationStore, RegistryStore } from "../../ports/index.js";
import { LIMITS } from "../../protocol/constants.js";
import { mapLimited } from "../concurrency.js";
import { type CancelDeps, cancelRun } from "./cancel.js";

export interface BulkCancelDeps extends CancelDeps {
  cancellations: CancellationStore;
  registry: RegistryStore;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** Runs listed (and cancelled) per timer delivery. */
export const BULK_CANCEL_PAGE = 100;
/** Cancels in flight at once within a page. */
const CANCEL_CONCURRENCY = 10;

/** What a cancelled run records as its canceller. */
export const cancelledBy = (c: Pick<CancellationRecord, "id">): string => `cancellation ${c.id}`;

/** Whether the cancellation covers a run of `fnSlug` started at `startedAt` for `event`. */
export function covers(
  c: CancellationRecord,
  run: { fnSlug: string; startedAt: number },
  event: InngestEvent | undefined,
): boolean {
  if (c.fnSlug !== run.fnSlug) return false;
  if (run.startedAt > c.startedBefore) return false;
  if (c.startedAfter !== undefined && run.startedAt < c.startedAfter) return false;
  return c.if === undefined || (event !== undefined && evaluateBoolean(c.if, { event }));
}

/** The cancellation among `records` whose window (and `if`) holds the run, if any. */
export function coveringCancellation(
  records: readonly CancellationRecord[],
  run: { fnSlug: string; startedAt: number; events: InngestEvent[] },
): CancellationRecord | undefined {
  return records.find((c) => covers(c, run, run.events[0]));
}

/** Every stored cancellation (a small set), following the listing's pages. */
export async function allCancellations(store: CancellationStore): Promise<CancellationRecord[]> {
  const out: CancellationRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({ limit: 100, ...(cursor ? { cursor } : {}) });
    out.push(...page.cancellations);
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/**
 * The listing window of a cancellation. Runs cannot have started before their app was first
 * synced, nor after now, so the window is cut to that: without `started_after` an open window
 * would otherwise make the run store walk every day since 1970. The window is the same for
 * every page (later pages' `now` only widens the end), so a listing cursor stays valid.
 */
async function window(
  deps: BulkCancelDeps,
  c: CancellationRecord,
): Promise<{ from: number; until: number } | undefined> {
  const now = deps.clock.now();
  const until = Math.min(c.startedBefore, now);
  const app = await deps.registry.getApp(c.appId);
  const floor = app ? app.createdAt : until - LIMITS.sleepMaxMs;
  const from = Math.max(c.startedAfter ?? 0, floor);
  return from <= until ? { from, until } : undefined;
}

export type BulkCancelPage = { status: "gone" } | { status: "page"; cancelled: string[]; cursor?: string };

/**
 * One page of a cancellation's timer: lists up to a page of the function's Running runs in the
 * window (oldest first, after `cursor`), cancels those whose triggering event matches `if`, and
 * schedules the next page when more remain. A cancellation deleted meanwhile stops here.
 */
export async function bulkCancelPage(
  deps: BulkCancelDeps,
  cancellationId: string,
  cursor?: string,
): Promise<BulkCancelPage> {
  const c = await deps.cancellations.get(cancellationId);
  if (!c) return { status: "gone" };
  const range = await window(deps, c);
  if (!range) return { status: "page", cancelled: [] };
  const page = await deps.runs.listRuns(
    { ...range, fnSlugs: [c.fnSlug], statuses: ["Running"], order: "asc" },
    { limit: BULK_CANCEL_PAGE, ...(cursor ? { cursor } : {}) },
  );
  const done = await mapLimited(page.runs, CANCEL_CONCURRENCY, (summary) =>
    cancelIfMatching(deps, c, summary.runId),
  );
  const cancelled = done.filter((id): id is string => id !== undefined);
  if (page.cursor) {
    await deps.timers.schedule(
      { kind: "cancellation", cancellationId, cursor: page.cursor },
      deps.clock.now(),
    );
  }
  deps.log?.("bulk cancellation page", { id: c.id, listed: page.runs.length, cancelled: cancelled.length });
  return { status: "page", cancelled, ...(page.cursor ? { cursor: page.cursor } : {}) };
}

/** Cancels the run if it still matches; its id when this cancelled it. */
async function cancelIfMatching(
  deps: BulkCancelDeps,
  c: CancellationRecord,
  runId: string,
): Promise<string | undefined> {
  // A listing holds summaries: the triggering event is read only when `if` needs it.
  const run = c.if !== undefined ? await deps.runs.getRun(runId) : undefined;
  if (c.if !== undefined && (run?.status !== "Running" || !covers(c, run, run.events[0]))) {
    return undefined;
  }
  try {
    const after = await cancelRun(deps, runId, cancelledBy(c));
    return after.cancelledBy === cancelledBy(c) ? runId : undefined;
  } catch (err) {
    // Gone since it was listed (past its retention): nothing to cancel.
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}
