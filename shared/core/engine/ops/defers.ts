/**
 * defer() ops (PROTOCOL 6.4), lazy: they ride along any answer and never drive the run. A
 * DeferAdd is recorded against the run (and sent back in the request's `defers` so the SDK does
 * not emit it again); a DeferAbort marks one as aborted. When the run finishes, each remaining
 * defer becomes an `inngest/deferred.schedule` event (core/runs/finish).
 */
import { type JsonObject, jsonBytes, toJson } from "../../../domain/json.js";
import type { DeferRecord, RunRecord } from "../../../domain/schemas.js";
import { LIMITS } from "../../../protocol/constants.js";
import type { StepOp } from "../../../protocol/sdkResponse.js";
import type { OpEffect, OpHandler } from "./types.js";

function object(value: unknown): JsonObject | undefined {
  const json = toJson(value);
  return typeof json === "object" && json !== null && !Array.isArray(json) ? json : undefined;
}

export const deferAdd: OpHandler = {
  lazy: true,
  handle: (_ctx, op) => deferAddEffect(op),
};

export const deferAbort: OpHandler = {
  lazy: true,
  handle: (_ctx, op) => deferAbortEffect(op),
};

/** What a DeferAdd records (or why it fails the run). */
export function deferAddEffect(op: StepOp): OpEffect {
  const fnSlug = op.opts?.fn_slug;
  const input = object(op.opts?.input);
  if (typeof fnSlug !== "string" || fnSlug === "" || !input) {
    return {
      fail: { name: "Error", message: "DeferAdd needs opts.fn_slug and an object opts.input" },
      summary: "bad defer",
    };
  }
  const size = jsonBytes(input);
  if (size > LIMITS.deferInputMaxBytes) {
    return {
      fail: {
        name: "Error",
        message: `defer input is ${size} bytes; the limit is ${LIMITS.deferInputMaxBytes}`,
      },
      summary: "defer too large",
    };
  }
  const meta = object(op.opts?.meta);
  return {
    defers: { [op.id]: { fnSlug, input, ...(meta ? { meta } : {}) } },
    summary: "defer recorded",
  };
}

/** Which defer a DeferAbort aborts. */
export function deferAbortEffect(op: StepOp): OpEffect {
  const target = op.opts?.target_hashed_id;
  if (typeof target !== "string" || target === "") return { summary: "defer abort without a target ignored" };
  return { abortDefers: [target], summary: "defer aborted" };
}

/** The run's defers after some DeferAdd/DeferAbort effects; a message when over the limit. */
export function mergeDefers(
  run: Pick<RunRecord, "defers">,
  applied: { defers: Record<string, DeferRecord>; abortDefers: string[] },
): Record<string, DeferRecord> | string | undefined {
  if (Object.keys(applied.defers).length === 0 && applied.abortDefers.length === 0) return undefined;
  // A DeferAdd the SDK sends again (it had not seen it recorded) keeps the first recording.
  const merged: Record<string, DeferRecord> = { ...applied.defers, ...run.defers };
  for (const id of applied.abortDefers) {
    const known = merged[id];
    if (known) merged[id] = { ...known, aborted: true };
  }
  const count = Object.keys(merged).length;
  if (count > LIMITS.maxDefers)
    return `a run may record at most ${LIMITS.maxDefers} defers (it sent ${count})`;
  return merged;
}
