/** `RunTraceSpan` values from the trace the observability module builds. */
import type { FunctionRecord } from "../../../../domain/schemas.js";
import type { StepInfo, TraceSpan } from "../../../observability/trace.js";
import type { RequestContext } from "../context.js";
import { appUuid } from "../ids.js";
import { legacyRunNode } from "./runs.js";

/** The members of the `StepInfo` union Tideline produces, told apart by `kind`. */
type StepInfoView = { kind: "sleep"; sleepUntil: number } | { kind: "run"; type: string | null };

function stepInfoView(info: StepInfo): StepInfoView {
  return info.type === "sleep"
    ? { kind: "sleep", sleepUntil: info.sleepUntil }
    : { kind: "run", type: info.runType ?? null };
}

const STEP_INFO_TYPES: Record<StepInfoView["kind"], string> = {
  sleep: "SleepStepInfo",
  run: "RunStepInfo",
};

/** `__resolveType` of the schema's abstract types (only `StepInfo` has values). */
export function resolveAbstractType(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || !("kind" in value)) return undefined;
  const { kind } = value;
  return kind === "sleep" || kind === "run" ? STEP_INFO_TYPES[kind] : undefined;
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
    stepInfo: span.stepInfo ? stepInfoView(span.stepInfo) : null,
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
