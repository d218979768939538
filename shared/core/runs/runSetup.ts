/**
 * What a new run carries from its function's config besides its start job: the cancel pauses of
 * `cancelOn` (SEMANTICS 5.8) and the timer of `timeouts.start` (5.9). `timeouts.finish` is armed
 * by the executor when the run's first request begins. Used by every path that creates runs.
 */

import * as z from "zod";
import { parseDurationMs } from "../../domain/duration.js";
import { refOf } from "../../domain/pauses.js";
import type { FunctionRecord, Outbox, Pause, RunRecord } from "../../domain/schemas.js";
import { LIMITS } from "../../protocol/constants.js";
import { type CancelSpec, cancelPauses } from "../pauses/create.js";

const cancelConfig = z.array(
  z.object({ event: z.string().min(1), if: z.string().nullish(), timeout: z.string().nullish() }),
);
const timeoutsConfig = z.object({ start: z.string().nullish(), finish: z.string().nullish() });

function durationMs(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  try {
    return parseDurationMs(value);
  } catch {
    return undefined; // refused at sync; a function synced before the check keeps running
  }
}

export function cancelSpecs(fn: FunctionRecord): CancelSpec[] {
  const parsed = cancelConfig.safeParse(fn.config.cancel);
  if (!parsed.success) return [];
  return parsed.data.map((c) => ({
    event: c.event,
    ...(c.if ? { if: c.if } : {}),
    ...(c.timeout ? { timeout: c.timeout } : {}),
  }));
}

export function runTimeouts(fn: FunctionRecord): { startMs?: number; finishMs?: number } {
  const parsed = timeoutsConfig.safeParse(fn.config.timeouts);
  if (!parsed.success) return {};
  const startMs = durationMs(parsed.data.start);
  const finishMs = durationMs(parsed.data.finish);
  return { ...(startMs !== undefined ? { startMs } : {}), ...(finishMs !== undefined ? { finishMs } : {}) };
}

/** The pauses to create with a new run and the timers to send once it exists. */
export function runSetup(
  fn: FunctionRecord,
  run: RunRecord,
): { run: RunRecord; pauses: Pause[]; outbox: Outbox } {
  const pauses = cancelPauses(run, cancelSpecs(fn), (spec) => {
    const ms = durationMs(spec.timeout);
    return run.startedAt + (ms ?? LIMITS.invokeDefaultTimeoutMs);
  });
  const { startMs } = runTimeouts(fn);
  const timers: NonNullable<Outbox["timers"]> =
    startMs !== undefined
      ? [{ item: { kind: "runTimeout", runId: run.runId, which: "start" }, dueAt: run.startedAt + startMs }]
      : [];
  return {
    run: pauses.length ? { ...run, pauses: pauses.map(refOf) } : run,
    pauses,
    outbox: timers.length ? { timers } : {},
  };
}
