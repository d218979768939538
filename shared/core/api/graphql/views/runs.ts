/** `FunctionRunV2` (runs, traces) and the older `FunctionRun` (cancelRun, events, the stream). */
import { type RunRecord, type RunSummary, storedErrorJson } from "../../../../domain/schemas.js";
import { INTERNAL_EVENTS } from "../../../../protocol/constants.js";
import { buildTrace, type RunSpanStatus, runSpanStatus } from "../../../observability/trace.js";
import type { RequestContext } from "../context.js";
import { appUuid, WORKSPACE } from "../ids.js";
import { appNode, functionNode } from "./apps.js";
import { legacyEventNode } from "./events.js";
import { runAwsCost } from "./runCost.js";
import { spanNode } from "./trace.js";

export type FunctionRunStatus = RunSpanStatus;

/** QUEUED until the first SDK request began (the trace's root span says the same). */
export const functionRunStatus = (run: Pick<RunSummary, "status" | "firstAttemptAt">): FunctionRunStatus =>
  runSpanStatus(run);

/** JSON text of the return value, or of the final error for a failed run. */
export function runOutputText(run: RunRecord): string | null {
  if (run.status === "Completed") return JSON.stringify(run.output ?? null);
  if (run.status === "Failed" && run.error) return JSON.stringify(storedErrorJson(run.error));
  return null;
}

/** The schedule of a cron run (its event is `inngest/scheduled.timer` with `data.cron`). */
export function runCron(run: RunRecord): string | null {
  const event = run.events[0];
  if (event?.name !== INTERNAL_EVENTS.scheduledTimer) return null;
  const cron = event.data.cron;
  return typeof cron === "string" ? cron : null;
}

/** The run's span tree, or null when the run is gone. */
export async function runTraceNode(ctx: RequestContext, runId: string) {
  const history = await ctx.history(runId);
  if (!history) return null;
  const fn = await ctx.fnOf(history.run);
  const tree = buildTrace(history, { now: ctx.now, fnName: fn.name });
  return spanNode(ctx, tree, fn, null);
}

/** A run from a listing (a summary) or a full record; fields a summary lacks read the record. */
export function runV2Node(ctx: RequestContext, run: RunSummary) {
  const record = async (): Promise<RunRecord | undefined> => ctx.run(run.runId);
  return {
    id: run.runId,
    appID: appUuid(run.appId),
    app: async () => appNode(ctx, await ctx.appOf(run.appId)),
    functionID: async () => (await ctx.fnOf(run)).internalId,
    function: async () => functionNode(ctx, await ctx.fnOf(run)),
    traceID: run.runId,
    queuedAt: run.startedAt,
    startedAt: run.firstAttemptAt ?? null,
    endedAt: run.endedAt ?? null,
    status: functionRunStatus(run),
    sourceID: null,
    triggerIDs: [run.eventId],
    // A listing's summary carries it; a run stored before it did (or a full record) reads the run.
    eventName: async () => run.eventName ?? (await record())?.events[0]?.name ?? null,
    isBatch: async () => ((await record())?.events.length ?? 0) > 1,
    batchCreatedAt: null,
    cronSchedule: async () => {
      const full = await record();
      return full ? runCron(full) : null;
    },
    output: async () => {
      const full = await record();
      return full ? runOutputText(full) : null;
    },
    trace: () => runTraceNode(ctx, run.runId),
    awsCost: () => runAwsCost(ctx, run.runId),
    hasAI: false,
    defers: [],
    siblingDefers: [],
    deferredFrom: [],
    isDeferred: false,
  };
}

export function legacyRunNode(ctx: RequestContext, run: RunRecord) {
  const eventNode = async () => {
    const event = await ctx.deps.events.getEvent(run.eventId);
    return event ? legacyEventNode(ctx, event) : null;
  };
  return {
    id: run.runId,
    functionID: async () => (await ctx.fnOf(run)).internalId,
    function: async () => functionNode(ctx, await ctx.fnOf(run)),
    workspace: WORKSPACE,
    event: eventNode,
    events: async () => {
      const event = await eventNode();
      return event ? [event] : [];
    },
    batchID: null,
    batchCreatedAt: null,
    status: functionRunStatus(run),
    startedAt: run.firstAttemptAt ?? run.startedAt,
    finishedAt: run.endedAt ?? null,
    output: runOutputText(run),
    eventID: run.eventId,
    cron: runCron(run),
  };
}
