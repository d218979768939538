/**
 * What happens when a run ends, whatever ended it (its last answer, a failure, a cancellation):
 * its pauses are deleted in the same commit, and the system events go out through the Event API
 * path once it has committed (PROTOCOL 7.2): `inngest/function.finished` for the run's first event
 * and for every event carrying an invoke correlation, plus `function.failed` or
 * `function.cancelled` with the run id as event id (so a retried send starts one onFailure run),
 * and one `inngest/deferred.schedule` per remaining defer (PROTOCOL 6.4).
 */
import { deterministicUlid } from "../../domain/ids.js";
import type { Json, JsonObject } from "../../domain/json.js";
import {
  type AcceptedEvent,
  type InngestEvent,
  type RunRecord,
  type RunStatus,
  type StoredError,
  storedErrorJson,
} from "../../domain/schemas.js";
import type { RunTransition } from "../../ports/index.js";
import { INTERNAL_EVENTS } from "../../protocol/constants.js";
import { withMeta } from "../../protocol/events.js";

/** The run's error when cancelled (and the invoke step's error when an invoked child is cancelled). */
export const CANCELLED_ERROR: StoredError = { name: "Error", message: "function cancelled" };

type FinalStatus = Exclude<RunStatus, "Running">;

/** The invoke correlation an event carries (`data._inngest.correlation_id`), if any. */
export function correlationOf(event: InngestEvent): string | undefined {
  const meta = event.data._inngest;
  if (typeof meta !== "object" || meta === null || Array.isArray(meta)) return undefined;
  const id = meta.correlation_id;
  return typeof id === "string" ? id : undefined;
}

/** Runs triggered by these never emit finish events (an onFailure handler would loop). */
const SILENT_TRIGGERS: ReadonlySet<string> = new Set([
  INTERNAL_EVENTS.functionFailed,
  INTERNAL_EVENTS.functionFinished,
]);

function accepted(event: InngestEvent, seed: string, now: number): AcceptedEvent {
  return { internalId: deterministicUlid(now, seed), event, receivedAt: now };
}

/** The system events of a run that ended with `status` (empty for runs triggered by them). */
export function finishEvents(
  run: RunRecord,
  end: { status: FinalStatus; output?: Json | undefined; error?: StoredError | undefined },
  now: number,
): AcceptedEvent[] {
  const first = run.events[0];
  if (!first || SILENT_TRIGGERS.has(first.name)) return deferredEvents(run, now);
  const base: JsonObject = {
    function_id: run.fnSlug,
    run_id: run.runId,
    event: { ...first },
    events: run.events.map((e) => ({ ...e })),
    // As the official server: a cancelled run's events carry neither result nor error.
    ...(end.status === "Completed" ? { result: end.output ?? null } : {}),
    ...(end.status === "Failed" && end.error ? { error: storedErrorJson(end.error) } : {}),
    _inngest: { status: end.status },
  };
  const out: AcceptedEvent[] = [];
  run.events.forEach((event, i) => {
    const correlation = correlationOf(event);
    if (i > 0 && correlation === undefined) return;
    const data: JsonObject = {
      ...base,
      ...(correlation !== undefined ? { correlation_id: correlation } : {}),
    };
    const seed = `${run.runId}\u0000finished\u0000${i}`;
    out.push(
      accepted(
        {
          name: INTERNAL_EVENTS.functionFinished,
          data,
          id: deterministicUlid(now, seed),
          ts: now,
          user: {},
          ...(event.meta ? { meta: event.meta } : {}),
        },
        seed,
        now,
      ),
    );
  });
  if (end.status !== "Completed") {
    const name =
      end.status === "Cancelled" ? INTERNAL_EVENTS.functionCancelled : INTERNAL_EVENTS.functionFailed;
    out.push(
      accepted({ name, data: base, id: run.runId, ts: now, user: {} }, `${run.runId}\u0000${name}`, now),
    );
  }
  return [...out, ...deferredEvents(run, now)];
}

/**
 * A Skipped run that an invoke started answers its caller: `function.finished` with an error, so
 * the caller's `step.invoke` fails ("invoked function is rate limited", as Inngest says it)
 * rather than waiting for its timeout. Nothing else is sent: the run never ran.
 */
export function skippedInvokeEvents(run: RunRecord, reason: string, now: number): AcceptedEvent[] {
  const first = run.events[0];
  const correlation =
    first && first.name === INTERNAL_EVENTS.functionInvoked ? correlationOf(first) : undefined;
  if (!first || correlation === undefined) return [];
  const message =
    reason === "rateLimit" ? "invoked function is rate limited" : `invoked function skipped (${reason})`;
  const seed = `${run.runId}\u0000finished\u00000`;
  const data: JsonObject = {
    function_id: run.fnSlug,
    run_id: run.runId,
    event: { ...first },
    events: [{ ...first }],
    error: { name: "Error", message },
    correlation_id: correlation,
    _inngest: { status: "Skipped" },
  };
  return [
    accepted(
      { name: INTERNAL_EVENTS.functionFinished, data, id: deterministicUlid(now, seed), ts: now, user: {} },
      seed,
      now,
    ),
  ];
}

/** One `inngest/deferred.schedule` per defer the run recorded and did not abort. */
function deferredEvents(run: RunRecord, now: number): AcceptedEvent[] {
  return Object.entries(run.defers ?? {}).flatMap(([id, defer]) => {
    if (defer.aborted) return [];
    const seed = `${run.runId}\u0000defer\u0000${id}`;
    const data: JsonObject = {
      ...defer.input,
      _inngest: { fn_slug: defer.fnSlug, parent_fn_slug: run.fnSlug, parent_run_id: run.runId },
    };
    return [
      accepted(
        {
          name: INTERNAL_EVENTS.deferredSchedule,
          data,
          id: deterministicUlid(now, seed),
          ts: now,
          user: {},
          // The SDK stamps the run's sessions as propagated_sessions; kept as the Event API keeps them.
          ...(defer.meta ? withMeta(defer.meta) : {}),
        },
        seed,
        now,
      ),
    ];
  });
}

/**
 * Adds the run-ending effects to a transition that sets a final status: the run's pauses are
 * removed and its finish events join the outbox. Transitions that do not end the run pass through.
 */
export function withFinish(run: RunRecord, t: RunTransition, now: number): RunTransition {
  const status = t.set.status;
  if (status === undefined || status === "Running") return t;
  const events = finishEvents(run, { status, output: t.set.output, error: t.set.error }, now);
  const live = run.pauses ?? [];
  return {
    ...t,
    ...(live.length || t.pauses
      ? { pauses: { ...t.pauses, remove: [...(t.pauses?.remove ?? []), ...live] } }
      : {}),
    // The run keeps its list of pauses: its trace shows the waits that were pending as cancelled.
    set: {
      ...t.set,
      outbox: { ...t.set.outbox, events: [...(t.set.outbox?.events ?? []), ...events] },
    },
  };
}
