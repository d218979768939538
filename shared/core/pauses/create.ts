/**
 * Builds the pauses runs wait on (SEMANTICS 2.4, 5.8, 7.2, 7.3; PROTOCOL 6.6, 7.1): a step's wait
 * for an event, an invoked child's `function.finished`, a signal, and the run's cancelOn entries.
 * `event.*` in a condition is resolved now from the run's triggering event; a condition that pins
 * `async.<path>` to a value puts the pause in that value's partition.
 */
import { deterministicUlid } from "../../domain/ids.js";
import { eventPartition, indexedPartition, signalPartition } from "../../domain/pauses.js";
import type { InngestEvent, Pause, PauseKind, RunRecord } from "../../domain/schemas.js";
import { preparePause } from "../../expressions/pauseExpression.js";

/**
 * Internal id of the `inngest/function.invoked` event an invoke step sends when it begins waiting
 * at `createdAt` (deterministic: a re-sent outbox starts no second child; the trace finds it).
 */
export function invokeEventId(runId: string, stepId: string, createdAt: number): string {
  return deterministicUlid(createdAt, `${runId}\u0000invoke\u0000${stepId}`);
}

/** The id of the pause a step waits on: one per run and step, so reporting it again replaces it. */
export function stepPauseId(runId: string, stepId: string): string {
  return `${runId}:${stepId}`;
}

type RunInfo = Pick<RunRecord, "runId" | "fnSlug" | "eventId" | "events" | "startedAt">;

export interface EventPauseSpec {
  kind: Exclude<PauseKind, "signal">;
  pauseId: string;
  eventName: string;
  expression?: string | undefined;
  stepId?: string;
  name?: string;
  createdAt: number;
  expiresAt: number;
}

/** A pause on an event name; an error message when the condition does not compile. */
export function eventPause(
  run: RunInfo,
  spec: EventPauseSpec,
): { ok: true; pause: Pause } | { ok: false; error: string } {
  const trigger: InngestEvent | undefined = run.events[0];
  const prepared = preparePause(spec.expression, trigger ?? {});
  if (!prepared.ok) return prepared;
  const { pause: p } = prepared;
  const indexed = p.index && indexedPartition(spec.eventName, p.index);
  const index = indexed ? p.index : undefined;
  const pause: Pause = {
    pauseId: spec.pauseId,
    partition: indexed ?? eventPartition(spec.eventName),
    kind: spec.kind,
    eventName: spec.eventName,
    createdAt: spec.createdAt,
    expiresAt: spec.expiresAt,
    runId: run.runId,
    fnSlug: run.fnSlug,
    triggerEventId: run.eventId,
    ...(spec.expression !== undefined ? { expression: p.source, event: p.event } : {}),
    ...(index ? { indexPath: index.path } : {}),
    ...(spec.stepId !== undefined ? { stepId: spec.stepId } : {}),
    ...(spec.name !== undefined ? { name: spec.name } : {}),
  };
  return { ok: true, pause };
}

/** A step waiting on a signal. */
export function signalPause(
  run: RunInfo,
  spec: { signal: string; stepId: string; name?: string; createdAt: number; expiresAt: number },
): Pause {
  return {
    pauseId: stepPauseId(run.runId, spec.stepId),
    partition: signalPartition(spec.signal),
    kind: "signal",
    signal: spec.signal,
    stepId: spec.stepId,
    ...(spec.name !== undefined ? { name: spec.name } : {}),
    createdAt: spec.createdAt,
    expiresAt: spec.expiresAt,
    runId: run.runId,
    fnSlug: run.fnSlug,
    triggerEventId: run.eventId,
  };
}

/** One cancelOn entry as synced (`cancel: [{event, if?, timeout?}]`). */
export interface CancelSpec {
  event: string;
  if?: string;
  timeout?: string;
}

/**
 * The cancel pauses of a new run, one per cancelOn entry (at most 5, checked at sync). An entry
 * whose condition does not compile was refused at sync; one that slipped through is skipped.
 */
export function cancelPauses(
  run: RunInfo,
  specs: readonly CancelSpec[],
  expiresAt: (spec: CancelSpec) => number,
): Pause[] {
  return specs.flatMap((spec, i) => {
    const built = eventPause(run, {
      kind: "cancel",
      pauseId: `${run.runId}:cancel:${i}`,
      eventName: spec.event,
      expression: spec.if,
      createdAt: run.startedAt,
      expiresAt: expiresAt(spec),
    });
    return built.ok ? [built.pause] : [];
  });
}
