/** Ops that report a step's result: it ran (StepRun/Step) or failed (StepError/StepFailed). */
import type { Json } from "../../../domain/json.js";
import { type StepRecord, storedErrorJson } from "../../../domain/schemas.js";
import { type StepOp, toStoredError } from "../../../protocol/sdkResponse.js";
import type { OpContext, OpEffect, OpHandler } from "./types.js";

/** The stored memo of one op, with display info for the APIs and the timeline. */
export function stepRecord(ctx: OpContext, op: StepOp, value: Json, at = ctx.now): StepRecord {
  const name = op.displayName ?? op.name ?? op.userland?.id;
  return {
    runId: ctx.job.runId,
    stepId: op.id,
    value,
    ...(name !== undefined ? { name } : {}),
    op: op.op,
    attempts: ctx.job.attempt,
    at,
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
      return {
        continueWith: { kind: "retry", at },
        exclusive: true,
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
