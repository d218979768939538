/** Ops that report a step's result: it ran (StepRun/Step) or failed (StepError/StepFailed). */
import { type Json, toJson } from "../../../domain/json.js";
import { type MetadataEntry, type StepRecord, storedErrorJson } from "../../../domain/schemas.js";
import { type StepOp, toStoredError } from "../../../protocol/sdkResponse.js";
import type { OpContext, OpEffect, OpHandler } from "./types.js";

/** The step's display name: what the user called it. */
export function stepName(op: StepOp): string | undefined {
  return op.displayName ?? op.name ?? op.userland?.id;
}

/** The metadata an op carries, stamped with the time it arrived. */
export function opMetadata(ctx: Pick<OpContext, "now">, op: StepOp): MetadataEntry[] | undefined {
  if (!op.metadata?.length) return undefined;
  return op.metadata.flatMap((m) => {
    const values = toJson(m.values);
    if (typeof values !== "object" || values === null || Array.isArray(values)) return [];
    return [{ kind: m.kind, scope: m.scope, op: m.op, values, updatedAt: ctx.now }];
  });
}

/**
 * The stored memo of one op, with display info for the APIs and the timeline: the request that
 * produced it began at `startedAt` (a sleep: now) and it was recorded at `at` (a sleep: its wake).
 */
export function stepRecord(
  ctx: OpContext,
  op: StepOp,
  value: Json,
  times: { at: number; startedAt: number } = { at: ctx.now, startedAt: ctx.startedAt },
): StepRecord {
  const name = stepName(op);
  const metadata = opMetadata(ctx, op);
  return {
    runId: ctx.job.runId,
    stepId: op.id,
    value,
    ...(name !== undefined ? { name } : {}),
    op: op.op,
    attempts: ctx.job.attempt,
    at: times.at,
    startedAt: times.startedAt,
    ...(metadata ? { metadata } : {}),
  };
}

function recorded(ctx: OpContext, op: StepOp, value: Json, summary: string): OpEffect {
  return { steps: [stepRecord(ctx, op, value)], continueWith: { kind: "discover" }, summary };
}

export const stepRun: OpHandler = {
  handle: (ctx, op) => recorded(ctx, op, { data: (op.data ?? null) as Json }, "step completed"),
};

/** Retried while attempts remain (at the SDK's retry-after, else the backoff); then stored like StepFailed. */
export const stepError: OpHandler = {
  handle(ctx, op) {
    const error = toStoredError(op.error);
    if (ctx.retriable && ctx.job.attempt + 1 < ctx.maxAttempts) {
      const at = ctx.retryAt ?? ctx.now + ctx.retryDelayMs(ctx.job.attempt);
      const name = stepName(op);
      const metadata = opMetadata(ctx, op);
      return {
        continueWith: { kind: "retry", at },
        exclusive: true,
        failedAttempt: {
          stepId: op.id,
          error,
          ...(name !== undefined ? { name } : {}),
          ...(metadata ? { metadata } : {}),
        },
        summary: `step retry attempt ${ctx.job.attempt + 1} of ${ctx.maxAttempts}`,
      };
    }
    return recorded(ctx, op, { error: storedErrorJson(error) }, "step failed for good");
  },
};

export const stepFailed: OpHandler = {
  handle: (ctx, op) =>
    recorded(ctx, op, { error: storedErrorJson(toStoredError(op.error)) }, "step failed for good"),
};
