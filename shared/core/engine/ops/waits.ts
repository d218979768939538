/**
 * Ops that make the run wait on something outside it (PROTOCOL 5.3): an event (WaitForEvent), an
 * invoked function's finish (InvokeFunction) and a signal (WaitForSignal). Each writes a pause in
 * the step's commit and arms its timeout; the run then holds no job until the pause is consumed
 * (core/pauses). A bad option is the step's error, which the function may catch.
 */

import { resolveSleepTarget } from "../../../domain/duration.js";
import { deterministicUlid } from "../../../domain/ids.js";
import { type Json, type JsonObject, toJson } from "../../../domain/json.js";
import { PARTITION_KEY_MAX_BYTES, pausableName, refOf } from "../../../domain/pauses.js";
import type { AcceptedEvent, Pause } from "../../../domain/schemas.js";
import { INTERNAL_EVENTS, LIMITS } from "../../../protocol/constants.js";
import { withMeta } from "../../../protocol/events.js";
import type { StepOp } from "../../../protocol/sdkResponse.js";
import { eventPause, invokeEventId, signalPause, stepPauseId } from "../../pauses/create.js";
import { stepName, stepRecord } from "./results.js";
import type { OpContext, OpEffect, OpHandler } from "./types.js";

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The step fails with `error` (stored like StepFailed) and the run goes on to discover it. */
function stepFails(ctx: OpContext, op: StepOp, name: string, message: string, summary: string): OpEffect {
  return {
    steps: [stepRecord(ctx, op, { error: { name, message } })],
    continueWith: { kind: "discover" },
    summary,
  };
}

/** When a wait with this timeout expires (a duration or an instant); an error message if invalid. */
function expiry(ctx: OpContext, timeout: string | undefined, fallbackMs: number): number | string {
  if (timeout === undefined) return ctx.now + fallbackMs;
  try {
    const at = resolveSleepTarget(timeout, ctx.now);
    if (at - ctx.now > LIMITS.sleepMaxMs) return "waits may last at most one year";
    return at;
  } catch (err) {
    return `invalid timeout "${timeout}": ${err instanceof Error ? err.message : String(err)}`;
  }
}

/**
 * The run already waits on this step: a discovery that ran meanwhile (a step planned beside the
 * wait finished) reports the wait again. The wait keeps its pause, start and timeout, so an event
 * that arrived since still counts, and an invoke is not sent twice.
 */
function alreadyWaiting(ctx: OpContext, op: StepOp): OpEffect | undefined {
  const pauseId = stepPauseId(ctx.run.runId, op.id);
  if (!(ctx.run.pauses ?? []).some((p) => p.pauseId === pauseId)) return undefined;
  return { continueWith: { kind: "wait" }, summary: "still waiting" };
}

function waiting(pause: Pause, summary: string, events: AcceptedEvent[] = []): OpEffect {
  return {
    pauses: [pause],
    outbox: {
      ...(events.length ? { events } : {}),
      timers: [
        { item: { kind: "pauseTimeout", runId: pause.runId, pause: refOf(pause) }, dueAt: pause.expiresAt },
      ],
    },
    // Not exclusive: a step planned in the same answer still runs (see decide's applyOps).
    continueWith: { kind: "wait" },
    summary,
  };
}

export const waitForEvent: OpHandler = {
  handle(ctx, op) {
    const known = alreadyWaiting(ctx, op);
    if (known) return known;
    const eventName = str(op.opts?.event) ?? str(op.name);
    if (!eventName) return stepFails(ctx, op, "Error", "waitForEvent needs an event name", "bad wait");
    if (!pausableName(eventName)) {
      const message = `waitForEvent's event name is ${Buffer.byteLength(eventName)} bytes; the limit is ${PARTITION_KEY_MAX_BYTES - 16}`;
      return stepFails(ctx, op, "Error", message, "bad wait");
    }
    // An empty timeout expires at once (SEMANTICS 7.2).
    const expiresAt = expiry(ctx, typeof op.opts?.timeout === "string" ? op.opts.timeout : "", 0);
    if (typeof expiresAt === "string") return stepFails(ctx, op, "Error", expiresAt, "bad wait timeout");
    const name = stepName(op);
    const built = eventPause(ctx.run, {
      kind: "wait",
      pauseId: stepPauseId(ctx.run.runId, op.id),
      eventName,
      expression: str(op.opts?.if),
      stepId: op.id,
      ...(name !== undefined ? { name } : {}),
      createdAt: ctx.now,
      expiresAt,
    });
    if (!built.ok) return stepFails(ctx, op, "InvalidExpression", built.error, "bad wait expression");
    return waiting(built.pause, "waiting for an event");
  },
};

/** The invoke payload's members (`payload: {data, user?, v?, meta?}`). */
function payloadOf(op: StepOp): { data: JsonObject; user: JsonObject; v?: string; meta?: JsonObject } {
  const raw = toJson(op.opts?.payload);
  const payload: JsonObject = typeof raw === "object" && raw !== null && !Array.isArray(raw) ? raw : {};
  const obj = (v: Json | undefined): JsonObject | undefined =>
    typeof v === "object" && v !== null && !Array.isArray(v) ? v : undefined;
  return {
    data: obj(payload.data) ?? {},
    user: obj(payload.user) ?? {},
    ...(typeof payload.v === "string" ? { v: payload.v } : {}),
    ...(obj(payload.meta) ? { meta: obj(payload.meta) } : {}),
  };
}

export const invokeFunction: OpHandler = {
  handle(ctx, op) {
    const known = alreadyWaiting(ctx, op);
    if (known) return known;
    const target = str(op.opts?.function_id);
    if (!target) return stepFails(ctx, op, "Error", "invoke needs a function_id", "bad invoke");
    const fn = ctx.invokeTargets.get(target);
    if (!fn) {
      return stepFails(
        ctx,
        op,
        "Error",
        `could not find function with ID: ${target}`,
        "invoke target unknown",
      );
    }
    const expiresAt = expiry(ctx, str(op.opts?.timeout), LIMITS.invokeDefaultTimeoutMs);
    if (typeof expiresAt === "string") return stepFails(ctx, op, "Error", expiresAt, "bad invoke timeout");
    const correlation = `${ctx.run.runId}.${op.id}`;
    const name = stepName(op);
    const built = eventPause(ctx.run, {
      kind: "invoke",
      pauseId: stepPauseId(ctx.run.runId, op.id),
      eventName: INTERNAL_EVENTS.functionFinished,
      expression: `async.data.correlation_id == ${JSON.stringify(correlation)}`,
      stepId: op.id,
      ...(name !== undefined ? { name } : {}),
      createdAt: ctx.now,
      expiresAt,
    });
    if (!built.ok) return stepFails(ctx, op, "Error", built.error, "bad invoke");
    const payload = payloadOf(op);
    const seed = `${ctx.run.runId}\u0000invoke\u0000${op.id}`;
    const invoked: AcceptedEvent = {
      internalId: invokeEventId(ctx.run.runId, op.id, ctx.now),
      receivedAt: ctx.now,
      event: {
        name: INTERNAL_EVENTS.functionInvoked,
        data: {
          ...payload.data,
          _inngest: {
            fn_id: fn.slug,
            correlation_id: correlation,
            expire: expiresAt,
            ...(name !== undefined ? { name } : {}),
            source_app_id: ctx.run.appId,
            source_fn_id: ctx.run.fnSlug,
            source_run_id: ctx.run.runId,
          },
        },
        id: deterministicUlid(ctx.now, `${seed}\u0000id`),
        ts: ctx.now,
        user: payload.user,
        ...(payload.v !== undefined ? { v: payload.v } : {}),
        // The SDK stamps the run's sessions as propagated_sessions; kept as the Event API keeps them.
        ...(payload.meta ? withMeta(payload.meta) : {}),
      },
    };
    return waiting(built.pause, "invoking a function", [invoked]);
  },
};

export const waitForSignal: OpHandler = {
  handle(ctx, op) {
    const known = alreadyWaiting(ctx, op);
    if (known) return known;
    const signal = str(op.opts?.signal) ?? str(op.name);
    if (!signal) return stepFails(ctx, op, "Error", "waitForSignal needs a signal", "bad signal wait");
    // Unlike an event wait, a signal wait without a timeout lasts a year (the official server's).
    const expiresAt = expiry(ctx, str(op.opts?.timeout), LIMITS.invokeDefaultTimeoutMs);
    if (typeof expiresAt === "string") return stepFails(ctx, op, "Error", expiresAt, "bad signal timeout");
    const holder = ctx.signalHolders.get(signal);
    if (holder && holder.runId !== ctx.run.runId && op.opts?.conflict === "fail") {
      return stepFails(
        ctx,
        op,
        "Error",
        `signal "${signal}" is already being waited on by run ${holder.runId}`,
        "signal conflict",
      );
    }
    const name = stepName(op);
    const pause = signalPause(ctx.run, {
      signal,
      stepId: op.id,
      ...(name !== undefined ? { name } : {}),
      createdAt: ctx.now,
      expiresAt,
    });
    return waiting(pause, "waiting for a signal");
  },
};
