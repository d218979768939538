/** `RunTraceSpan` values from the trace the observability module builds. */
import type { JsonObject } from "../../../../domain/json.js";
import type { FunctionRecord } from "../../../../domain/schemas.js";
import type { InvokeInfo, StepInfo, TraceSpan } from "../../../observability/trace.js";
import type { RequestContext } from "../context.js";
import { appUuid } from "../ids.js";
import { legacyRunNode } from "./runs.js";

/**
 * Inngest's value for a wait attribute it lacks: the zero time (Go's `time.Time{}`). A resumed
 * wait keeps no record of its expiry unless its timeout resumed it.
 */
const UNKNOWN_TIME = Date.parse("0001-01-01T00:00:00Z");

/** The members of the `StepInfo` union Tideline produces, told apart by `kind`. */
type StepInfoView =
  | { kind: "sleep"; sleepUntil: number }
  | { kind: "run"; type: string | null }
  | {
      kind: "waitForEvent";
      eventName: string;
      expression: null;
      timeout: number;
      foundEventID: string | null;
      timedOut: boolean | null;
    }
  | {
      kind: "invoke";
      triggeringEventID: string;
      functionID: () => Promise<string>;
      timeout: number;
      returnEventID: null;
      runID: () => Promise<string | null>;
      timedOut: boolean | null;
    }
  | { kind: "waitForSignal"; signal: string; timeout: number; timedOut: boolean | null };

/** A JSON object member of a JSON object, if it is one. */
function member(obj: JsonObject | undefined, key: string): JsonObject | undefined {
  const value = obj?.[key];
  return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
}

/**
 * An invoke's target and child run, read when asked for: the target is in the invoke event it
 * sent (`data._inngest.fn_id`), the child is the run that event started.
 */
function invokeView(ctx: RequestContext, info: InvokeInfo): StepInfoView {
  let target: Promise<{ fnId?: string; runId?: string }> | undefined;
  const load = () => {
    target ??= (async () => {
      const eventId = info.triggeringEventId;
      const [event, runs] = await Promise.all([
        ctx.deps.events.getEvent(eventId),
        ctx.deps.runs.listRunsForEvent(eventId),
      ]);
      const fnId = member(event?.event.data, "_inngest")?.fn_id;
      const child = runs.find((r) => r.fnSlug === fnId) ?? runs[0];
      return {
        ...(typeof fnId === "string" ? { fnId } : child ? { fnId: child.fnSlug } : {}),
        ...(child ? { runId: child.runId } : {}),
      };
    })();
    return target;
  };
  return {
    kind: "invoke",
    triggeringEventID: info.triggeringEventId,
    functionID: async () => (await load()).fnId ?? "",
    timeout: info.timeout ?? UNKNOWN_TIME,
    returnEventID: null,
    runID: async () => (await load()).runId ?? null,
    timedOut: info.timedOut ?? null,
  };
}

function stepInfoView(ctx: RequestContext, info: StepInfo): StepInfoView {
  switch (info.type) {
    case "sleep":
      return { kind: "sleep", sleepUntil: info.sleepUntil };
    case "run":
      return { kind: "run", type: info.runType ?? null };
    case "waitForEvent":
      return {
        kind: "waitForEvent",
        eventName: info.eventName ?? "",
        expression: null,
        timeout: info.timeout ?? UNKNOWN_TIME,
        foundEventID: info.foundEventId ?? null,
        timedOut: info.timedOut ?? null,
      };
    case "invoke":
      return invokeView(ctx, info);
    case "waitForSignal":
      return {
        kind: "waitForSignal",
        signal: info.signal ?? "",
        timeout: info.timeout ?? UNKNOWN_TIME,
        timedOut: info.timedOut ?? null,
      };
  }
}

const STEP_INFO_TYPES: Record<StepInfoView["kind"], string> = {
  sleep: "SleepStepInfo",
  run: "RunStepInfo",
  waitForEvent: "WaitForEventStepInfo",
  invoke: "InvokeStepInfo",
  waitForSignal: "WaitForSignalStepInfo",
};

const isStepInfoKind = (kind: unknown): kind is StepInfoView["kind"] =>
  typeof kind === "string" && Object.hasOwn(STEP_INFO_TYPES, kind);

/** `__resolveType` of the schema's abstract types (only `StepInfo` has values). */
export function resolveAbstractType(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || !("kind" in value)) return undefined;
  const { kind } = value;
  return isStepInfoKind(kind) ? STEP_INFO_TYPES[kind] : undefined;
}

/** The app's own span (OTLP) as Inngest shows it: attributes as JSON text. */
function userlandView(userland: NonNullable<TraceSpan["userland"]>) {
  return {
    spanName: userland.spanName,
    spanKind: userland.spanKind,
    serviceName: userland.serviceName ?? null,
    resourceAttrs: JSON.stringify(userland.resourceAttrs),
    scopeName: userland.scopeName ?? null,
    scopeVersion: userland.scopeVersion ?? null,
    spanAttrs: JSON.stringify(userland.spanAttrs),
  };
}

export interface SpanNode {
  [field: string]: unknown;
  childrenSpans: SpanNode[];
}

export function spanNode(
  ctx: RequestContext,
  span: TraceSpan,
  fn: FunctionRecord,
  parent: SpanNode | null,
): SpanNode {
  const node: SpanNode = {
    appID: appUuid(span.appId),
    functionID: fn.internalId,
    runID: span.runId,
    run: async () => {
      const run = await ctx.run(span.runId);
      if (!run) throw new Error(`run ${span.runId} disappeared while its trace was read`);
      return legacyRunNode(ctx, run);
    },
    spanID: span.spanId,
    traceID: span.traceId,
    groupID: null,
    name: span.name,
    status: span.status,
    attempts: span.attempts ?? null,
    duration: span.durationMs ?? null,
    outputID: span.outputId ?? null,
    queuedAt: span.queuedAt,
    scheduledAt: span.queuedAt,
    startedAt: span.startedAt ?? null,
    endedAt: span.endedAt ?? null,
    childrenSpans: [],
    stepOp: span.stepOp ?? null,
    stepID: span.stepId ?? null,
    stepInfo: span.stepInfo ? stepInfoView(ctx, span.stepInfo) : null,
    stepType: span.stepType,
    isRoot: span.isRoot,
    parentSpanID: span.parentSpanId ?? null,
    parentSpan: parent,
    isUserland: span.userland !== undefined,
    userlandSpan: span.userland ? userlandView(span.userland) : null,
    debugRunID: null,
    debugSessionID: null,
    debugPaused: false,
    skipReason: null,
    skipExistingRunID: null,
    metadata: span.metadata.map((m) => ({
      scope: m.scope,
      kind: m.kind,
      values: m.values,
      updatedAt: m.updatedAt,
    })),
    response: null,
  };
  node.childrenSpans = span.children.map((child) => spanNode(ctx, child, fn, node));
  return node;
}
