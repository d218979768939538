/**
 * A run's trace: the span tree the GraphQL API and the dashboard show, built from what the engine
 * already stores. The root span is the run (queued, started, ended, status, output); each step
 * result is a child span named after the step; each attempt of a `step.run` is a grandchild, the
 * last one being the attempt that produced the result and the earlier ones the failed attempts the
 * executor kept. Failed attempts of the function body itself (errors outside any step) are children
 * of the root named "Attempt N".
 */
import type { Json, JsonObject } from "../../domain/json.js";
import type {
  AttemptRecord,
  MetadataEntry,
  RunRecord,
  StepRecord,
  UserlandSpan,
} from "../../domain/schemas.js";
import type { RunHistory } from "../../ports/index.js";
import { OPCODES } from "../../protocol/constants.js";
import { invokeEventId } from "../pauses/create.js";
import { INVOKE_TIMEOUT_ERROR } from "../pauses/resume.js";
import { isStepWait, type StepWait, WAIT_OP } from "../pauses/stepWaits.js";
import { foldMetadata, type MetadataView } from "./metadata.js";
import { outputId } from "./outputIds.js";
import { stepOutcome } from "./stepOutcome.js";

export type SpanStatus = "QUEUED" | "RUNNING" | "COMPLETED" | "FAILED" | "CANCELLED" | "WAITING" | "SKIPPED";
export type SpanStepOp = "RUN" | "SLEEP" | "WAIT_FOR_EVENT" | "INVOKE" | "AI_GATEWAY" | "WAIT_FOR_SIGNAL";

export type StepInfo =
  | { type: "sleep"; sleepUntil: number }
  | { type: "run"; runType?: string }
  | WaitForEventInfo
  | InvokeInfo
  | WaitForSignalInfo;

/*
 * What a wait's span knows of it. A live pause carries the event name or signal and the expiry;
 * the step result stored when the wait resumes keeps only the value, so a resumed wait knows the
 * matched event's name and id (or the signal) from it, and its expiry only when it timed out (the
 * timeout resumed it then). Whatever is unknown is absent.
 */

/** A `step.waitForEvent`. */
export interface WaitForEventInfo {
  type: "waitForEvent";
  eventName?: string;
  /** When the wait expires. */
  timeout?: number;
  /** `id` of the event that resumed the wait. */
  foundEventId?: string;
  /** Set once the wait resumed: true when its timeout resumed it. */
  timedOut?: boolean;
}

/** A `step.invoke`. */
export interface InvokeInfo {
  type: "invoke";
  /** Internal id of the `inngest/function.invoked` event sent; the child run is that event's run. */
  triggeringEventId: string;
  timeout?: number;
  timedOut?: boolean;
}

/** A `step.waitForSignal`. */
export interface WaitForSignalInfo {
  type: "waitForSignal";
  signal?: string;
  timeout?: number;
  timedOut?: boolean;
}

export interface TraceSpan {
  spanId: string;
  traceId: string;
  runId: string;
  appId: string;
  fnSlug: string;
  parentSpanId?: string;
  name: string;
  status: SpanStatus;
  /** Attempts made (steps and the root); absent on attempt spans. */
  attempts?: number;
  queuedAt: number;
  startedAt?: number;
  endedAt?: number;
  durationMs?: number;
  outputId?: string;
  /** The hashed step id (absent on the root and on function-level attempts). */
  stepId?: string;
  stepOp?: SpanStepOp;
  /** The SDK op that produced the span ("StepRun", "Sleep", ...), or "RUN" for the root. */
  stepType: string;
  stepInfo?: StepInfo;
  isRoot: boolean;
  /** Set on spans the app exported itself (OTLP), absent on Tideline's own spans. */
  userland?: {
    spanName: string;
    spanKind: string;
    serviceName?: string;
    scopeName?: string;
    scopeVersion?: string;
    resourceAttrs: JsonObject;
    spanAttrs: JsonObject;
  };
  metadata: MetadataView[];
  children: TraceSpan[];
}

/** The status of a run as traces and listings show it: QUEUED until its first SDK request began. */
export type RunSpanStatus = "QUEUED" | "RUNNING" | "COMPLETED" | "FAILED" | "CANCELLED" | "SKIPPED";

export function runSpanStatus(run: Pick<RunRecord, "status" | "firstAttemptAt">): RunSpanStatus {
  switch (run.status) {
    case "Running":
      return run.firstAttemptAt === undefined ? "QUEUED" : "RUNNING";
    case "Completed":
      return "COMPLETED";
    case "Failed":
      return "FAILED";
    case "Cancelled":
      return "CANCELLED";
    case "Skipped":
      return "SKIPPED";
  }
}

function stepOpOf(op: string): SpanStepOp | undefined {
  switch (op) {
    case OPCODES.stepRun:
    case OPCODES.step:
    case OPCODES.stepError:
    case OPCODES.stepFailed:
      return "RUN";
    case OPCODES.sleep:
      return "SLEEP";
    case OPCODES.waitForEvent:
      return "WAIT_FOR_EVENT";
    case OPCODES.invokeFunction:
      return "INVOKE";
    case OPCODES.aiGateway:
      return "AI_GATEWAY";
    case OPCODES.waitForSignal:
      return "WAIT_FOR_SIGNAL";
    default:
      return undefined;
  }
}

function asObject(value: Json | undefined): JsonObject | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
}

/** The step info of a wait still pending on `pause`. */
function pendingWaitInfo(ctx: Context, pause: StepWait, stepId: string): StepInfo {
  const timeout = pause.expiresAt;
  switch (pause.kind) {
    case "invoke":
      return {
        type: "invoke",
        triggeringEventId: invokeEventId(ctx.run.runId, stepId, pause.createdAt),
        timeout,
      };
    case "signal":
      return {
        type: "waitForSignal",
        ...(pause.signal !== undefined ? { signal: pause.signal } : {}),
        timeout,
      };
    case "wait":
      return {
        type: "waitForEvent",
        ...(pause.eventName !== undefined ? { eventName: pause.eventName } : {}),
        timeout,
      };
  }
}

/**
 * The step info of a wait that resumed, from its stored value: the matched event (null: timed
 * out), an invoke's `{data}` / `{error}`, or a signal's `{data: {signal, data}}`. A value with an
 * error that is no timeout is a wait that failed (a bad option, a failed child).
 */
function resumedWaitInfo(ctx: Context, step: StepRecord, stepOp: SpanStepOp): StepInfo {
  const value = asObject(step.value);
  const failed = "error" in stepOutcome(step);
  if (stepOp === "INVOKE") {
    const timedOut = asObject(value?.error)?.name === INVOKE_TIMEOUT_ERROR;
    return {
      type: "invoke",
      triggeringEventId: invokeEventId(ctx.run.runId, step.stepId, step.startedAt ?? step.at),
      timedOut,
      ...(step.wait ? { timeout: step.wait.expiresAt } : timedOut ? { timeout: step.at } : {}),
    };
  }
  const timedOut = step.value === null;
  const timeout = step.wait ? { timeout: step.wait.expiresAt } : timedOut ? { timeout: step.at } : {};
  const outcome = failed ? { ...timeout } : { timedOut, ...timeout };
  if (stepOp === "WAIT_FOR_SIGNAL") {
    const signal = asObject(value?.data)?.signal ?? step.wait?.signal;
    return { type: "waitForSignal", ...(typeof signal === "string" ? { signal } : {}), ...outcome };
  }
  const eventName = (failed ? undefined : value?.name) ?? step.wait?.eventName;
  const eventId = failed ? undefined : value?.id;
  return {
    type: "waitForEvent",
    ...(typeof eventName === "string" ? { eventName } : {}),
    ...(typeof eventId === "string" ? { foundEventId: eventId } : {}),
    ...outcome,
  };
}

function timed(span: Omit<TraceSpan, "durationMs">): TraceSpan {
  const { startedAt, endedAt } = span;
  return startedAt !== undefined && endedAt !== undefined
    ? { ...span, durationMs: Math.max(0, endedAt - startedAt) }
    : span;
}

interface Context {
  run: RunRecord;
  now: number;
  rootId: string;
  /** API-written metadata, by target. */
  apiMetadata: RunHistory["metadata"];
}

function metadataFor(
  ctx: Context,
  inline: MetadataEntry[] | undefined,
  target: (r: RunHistory["metadata"][number]) => boolean,
): MetadataView[] {
  const written = ctx.apiMetadata.filter(target).map((r) => r.entry);
  const all = [...(inline ?? []), ...written].sort((a, b) => a.updatedAt - b.updatedAt);
  return foldMetadata(all);
}

function base(ctx: Context, spanId: string, parentSpanId: string) {
  return {
    spanId,
    traceId: ctx.run.runId,
    runId: ctx.run.runId,
    appId: ctx.run.appId,
    fnSlug: ctx.run.fnSlug,
    parentSpanId,
    isRoot: false,
  };
}

function failedAttemptSpan(ctx: Context, a: AttemptRecord, parentSpanId: string, name: string): TraceSpan {
  return timed({
    ...base(ctx, `${parentSpanId}:a${a.attempt}`, parentSpanId),
    name,
    status: "FAILED",
    queuedAt: a.startedAt,
    startedAt: a.startedAt,
    endedAt: a.endedAt,
    outputId: outputId({ kind: "attempt", runId: a.runId, version: a.version }),
    ...(a.stepId !== "step" ? { stepId: a.stepId, stepOp: "RUN" as const } : {}),
    stepType: a.stepId === "step" ? "FunctionError" : OPCODES.stepError,
    metadata: metadataFor(
      ctx,
      a.metadata,
      (r) => r.stepId === a.stepId && r.attempt === a.attempt && r.entry.scope === "step_attempt",
    ),
    children: [],
  });
}

/**
 * A step that waits on `pause` and has no result yet: WAITING while the run runs; CANCELLED once
 * the run ended without the wait resuming (its pauses were dropped with the run).
 */
function pendingWaitSpan(
  ctx: Context,
  stepId: string,
  pause: StepWait,
  metadata: MetadataView[],
  children: TraceSpan[],
): TraceSpan {
  const op = WAIT_OP[pause.kind];
  const stepOp = stepOpOf(op);
  const waiting = ctx.run.status === "Running";
  return timed({
    ...base(ctx, `${ctx.rootId}:${stepId}`, ctx.rootId),
    name: pause.name ?? stepId,
    status: waiting ? "WAITING" : "CANCELLED",
    attempts: 1,
    queuedAt: pause.createdAt,
    startedAt: pause.createdAt,
    ...(waiting ? {} : { endedAt: ctx.run.endedAt ?? ctx.run.updatedAt }),
    stepId,
    stepOp,
    stepType: op,
    stepInfo: pendingWaitInfo(ctx, pause, stepId),
    metadata,
    children,
  });
}

/** A step's span: from its result when it has one, else from its live wait or its failed attempts. */
function stepSpan(
  ctx: Context,
  stepId: string,
  step: StepRecord | undefined,
  failed: AttemptRecord[],
  pause: StepWait | undefined,
): TraceSpan {
  const spanId = `${ctx.rootId}:${stepId}`;
  const name = step?.name ?? failed.find((a) => a.name)?.name ?? stepId;
  const op = step?.op ?? OPCODES.stepError;
  const stepOp = stepOpOf(op);
  const firstStart = failed[0]?.startedAt ?? step?.startedAt ?? step?.at ?? ctx.run.startedAt;
  const running = ctx.run.status === "Running";
  const attemptSpans = failed.map((a) => failedAttemptSpan(ctx, a, spanId, `Attempt ${a.attempt}`));
  // Inline metadata scoped to the run belongs to the root span (see buildTrace).
  const inline = step?.metadata?.filter((m) => m.scope !== "run");
  const metadata = metadataFor(ctx, inline, (r) => r.stepId === stepId && r.entry.scope === "step");

  if (!step && pause) return pendingWaitSpan(ctx, stepId, pause, metadata, attemptSpans);
  if (!step) {
    // Only failed attempts: a retry is pending, or the run ended before the step succeeded.
    return timed({
      ...base(ctx, spanId, ctx.rootId),
      name,
      status: running ? "RUNNING" : "FAILED",
      attempts: failed.length,
      queuedAt: firstStart,
      startedAt: firstStart,
      ...(running ? {} : { endedAt: failed.at(-1)?.endedAt ?? ctx.run.updatedAt }),
      stepId,
      stepOp: "RUN",
      stepType: op,
      stepInfo: { type: "run" },
      metadata,
      children: attemptSpans,
    });
  }

  if (stepOp === "SLEEP") {
    const waking = running && step.at > ctx.now;
    // A run that ended before the wake time (cancelled) cut the sleep short.
    const cutAt = running ? undefined : (ctx.run.endedAt ?? ctx.run.updatedAt);
    const cut = cutAt !== undefined && step.at > cutAt;
    return timed({
      ...base(ctx, spanId, ctx.rootId),
      name,
      status: waking ? "WAITING" : cut ? "CANCELLED" : "COMPLETED",
      attempts: 1,
      queuedAt: firstStart,
      startedAt: firstStart,
      ...(waking ? {} : { endedAt: cut ? cutAt : step.at }),
      stepId,
      stepOp,
      stepType: op,
      stepInfo: { type: "sleep", sleepUntil: step.at },
      outputId: outputId({ kind: "step", runId: step.runId, stepId }),
      metadata,
      children: [],
    });
  }

  const failedForGood = "error" in stepOutcome(step);
  // A resumed wait (a match, a signal, the child's finish or the timeout) has no attempt of its
  // own; a step that ran shows the attempt that produced its result.
  const isWait = stepOp === "WAIT_FOR_EVENT" || stepOp === "INVOKE" || stepOp === "WAIT_FOR_SIGNAL";
  const lastStart = step.startedAt ?? step.at;
  const lastAttempt = (): TraceSpan =>
    timed({
      ...base(ctx, `${spanId}:a${step.attempts}`, spanId),
      name: `Attempt ${step.attempts}`,
      status: failedForGood ? "FAILED" : "COMPLETED",
      queuedAt: lastStart,
      startedAt: lastStart,
      endedAt: step.at,
      outputId: outputId({ kind: "step", runId: step.runId, stepId }),
      stepId,
      ...(stepOp ? { stepOp } : {}),
      stepType: op,
      metadata: metadataFor(
        ctx,
        undefined,
        (r) => r.stepId === stepId && r.attempt === step.attempts && r.entry.scope === "step_attempt",
      ),
      children: [],
    });
  return timed({
    ...base(ctx, spanId, ctx.rootId),
    name,
    status: failedForGood ? "FAILED" : "COMPLETED",
    attempts: step.attempts + 1,
    queuedAt: firstStart,
    startedAt: firstStart,
    endedAt: step.at,
    outputId: outputId({ kind: "step", runId: step.runId, stepId }),
    stepId,
    ...(stepOp ? { stepOp } : {}),
    stepType: op,
    stepInfo: isWait && stepOp ? resumedWaitInfo(ctx, step, stepOp) : { type: "run" },
    metadata,
    children: isWait ? attemptSpans : [...attemptSpans, lastAttempt()],
  });
}

/** The app's own spans as trees: each under its parent span when that is also the app's. */
function userlandTrees(ctx: Context, spans: UserlandSpan[], parentSpanId: string): TraceSpan[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const byParent = new Map<string, UserlandSpan[]>();
  for (const s of spans) {
    const parent = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : "";
    byParent.set(parent, [...(byParent.get(parent) ?? []), s]);
  }
  const build = (s: UserlandSpan, parent: string, depth: number): TraceSpan =>
    timed({
      ...base(ctx, s.spanId, parent),
      name: s.name,
      status: s.status === "ERROR" ? "FAILED" : "COMPLETED",
      queuedAt: s.startedAt,
      startedAt: s.startedAt,
      endedAt: s.endedAt,
      ...(s.stepId !== undefined ? { stepId: s.stepId } : {}),
      stepType: "USERLAND",
      userland: {
        spanName: s.name,
        spanKind: s.kind,
        ...(s.serviceName !== undefined ? { serviceName: s.serviceName } : {}),
        ...(s.scopeName !== undefined ? { scopeName: s.scopeName } : {}),
        ...(s.scopeVersion !== undefined ? { scopeVersion: s.scopeVersion } : {}),
        resourceAttrs: s.resourceAttributes,
        spanAttrs: s.attributes,
      },
      metadata: [],
      // A cycle in parent ids cannot recurse forever: depth is bounded by the span count.
      children:
        depth < spans.length
          ? (byParent.get(s.spanId) ?? []).sort(byStart).map((c) => build(c, s.spanId, depth + 1))
          : [],
    });
  return (byParent.get("") ?? []).sort(byStart).map((s) => build(s, parentSpanId, 1));
}

const byStart = (a: { startedAt: number }, b: { startedAt: number }) => a.startedAt - b.startedAt;

/** The run's span tree. `fnName` names the root (the function's name; its slug when unknown). */
export function buildTrace(history: RunHistory, opts: { now: number; fnName?: string }): TraceSpan {
  const { run, steps, attempts } = history;
  const rootId = run.runId;
  const ctx: Context = { run, now: opts.now, rootId, apiMetadata: history.metadata };

  const stepsById = new Map(steps.map((s) => [s.stepId, s]));
  const failedByStep = new Map<string, AttemptRecord[]>();
  for (const a of [...attempts].sort((x, y) => x.version - y.version)) {
    const list = failedByStep.get(a.stepId) ?? [];
    list.push(a);
    failedByStep.set(a.stepId, list);
  }

  // Waits with no result yet. A run that ended drops its pauses, but any it kept were cut short.
  const waits = new Map((run.pauses ?? []).filter(isStepWait).map((p) => [p.stepId, p]));

  const children: TraceSpan[] = [];
  const stepIds = new Set([...stepsById.keys(), ...failedByStep.keys(), ...waits.keys()]);
  stepIds.delete("step");
  for (const stepId of stepIds) {
    children.push(
      stepSpan(ctx, stepId, stepsById.get(stepId), failedByStep.get(stepId) ?? [], waits.get(stepId)),
    );
  }
  for (const a of failedByStep.get("step") ?? []) {
    children.push(failedAttemptSpan(ctx, a, rootId, `Attempt ${a.attempt}`));
  }
  // The app's spans go under the attempt of the step they ran in, else the step, else the root.
  const unplaced: UserlandSpan[] = [];
  const byHolder = new Map<TraceSpan, UserlandSpan[]>();
  for (const s of history.userlandSpans) {
    const step =
      s.stepId !== undefined ? children.find((c) => c.stepId === s.stepId && !c.userland) : undefined;
    if (!step) {
      unplaced.push(s);
      continue;
    }
    const attempt = step.children.find((c) => c.spanId === `${step.spanId}:a${s.attempt ?? -1}`);
    const holder = attempt ?? step;
    byHolder.set(holder, [...(byHolder.get(holder) ?? []), s]);
  }
  for (const [holder, spans] of byHolder) holder.children.push(...userlandTrees(ctx, spans, holder.spanId));
  children.push(...userlandTrees(ctx, unplaced, rootId));
  children.sort((a, b) => (a.startedAt ?? a.queuedAt) - (b.startedAt ?? b.queuedAt));

  const status = runSpanStatus(run);
  const ended = run.status !== "Running";
  return timed({
    spanId: rootId,
    traceId: rootId,
    runId: run.runId,
    appId: run.appId,
    fnSlug: run.fnSlug,
    name: opts.fnName ?? run.fnSlug,
    status,
    attempts: (failedByStep.get("step")?.length ?? 0) + 1,
    queuedAt: run.startedAt,
    ...(run.firstAttemptAt !== undefined ? { startedAt: run.firstAttemptAt } : {}),
    ...(ended && run.endedAt !== undefined ? { endedAt: run.endedAt } : {}),
    ...(run.status === "Completed" || run.status === "Failed"
      ? { outputId: outputId({ kind: "run", runId: run.runId }) }
      : {}),
    stepType: "RUN",
    isRoot: true,
    metadata: metadataFor(
      ctx,
      steps.flatMap((s) => s.metadata?.filter((m) => m.scope === "run") ?? []),
      (r) => r.stepId === undefined,
    ),
    children,
  });
}
