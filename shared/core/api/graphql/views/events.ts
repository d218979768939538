/** `EventV2`, the older `Event` and `StreamItem` values of a stored event. */
import type { RunRecord, StoredEventRecord } from "../../../../domain/schemas.js";
import type { RequestContext } from "../context.js";
import { LOCAL_ENV_ID, WORKSPACE } from "../ids.js";
import { legacyRunNode, runV2Node } from "./runs.js";

/** The event as its producer sent it: Inngest's fields first, then any other key kept (`meta`). */
export function rawEventText(record: StoredEventRecord): string {
  const { name, data, id, ts, user, v, ...rest } = record.event;
  return JSON.stringify({ name, data, id, ts, user, ...(v !== undefined ? { v } : {}), ...rest });
}

async function runsOf(ctx: RequestContext, record: StoredEventRecord): Promise<RunRecord[]> {
  const runs = await ctx.deps.runs.listRunsForEvent(record.internalId);
  for (const run of runs) ctx.primeRun(run);
  return runs.sort((a, b) => a.startedAt - b.startedAt || (a.runId < b.runId ? -1 : 1));
}

export function eventV2Node(ctx: RequestContext, record: StoredEventRecord) {
  return {
    envID: LOCAL_ENV_ID,
    id: record.internalId,
    idempotencyKey: record.event.id,
    name: record.event.name,
    occurredAt: record.event.ts,
    raw: rawEventText(record),
    receivedAt: record.receivedAt,
    runs: async () => (await runsOf(ctx, record)).map((run) => runV2Node(ctx, run)),
    source: null,
    version: record.event.v ?? null,
  };
}

type EventStatus = "RUNNING" | "COMPLETED" | "FAILED" | "PARTIALLY_FAILED" | "NO_FUNCTIONS";

/** Inngest's summary of what an event's runs became. */
function eventStatus(runs: RunRecord[]): EventStatus {
  if (runs.length === 0) return "NO_FUNCTIONS";
  const failed = runs.filter((r) => r.status === "Failed").length;
  if (failed > 0) return failed === runs.length ? "FAILED" : "PARTIALLY_FAILED";
  return runs.some((r) => r.status === "Running") ? "RUNNING" : "COMPLETED";
}

export function legacyEventNode(ctx: RequestContext, record: StoredEventRecord) {
  let runs: Promise<RunRecord[]> | undefined;
  const loadRuns = () => {
    runs ??= runsOf(ctx, record);
    return runs;
  };
  return {
    id: record.internalId,
    externalID: record.event.id,
    workspace: WORKSPACE,
    name: record.event.name,
    createdAt: record.event.ts,
    payload: JSON.stringify(record.event.data),
    schema: null,
    status: async () => eventStatus(await loadRuns()),
    pendingRuns: async () => (await loadRuns()).filter((r) => r.status === "Running").length,
    totalRuns: async () => (await loadRuns()).length,
    raw: rawEventText(record),
    functionRuns: async () => (await loadRuns()).map((run) => legacyRunNode(ctx, run)),
  };
}

export function streamItemNode(ctx: RequestContext, record: StoredEventRecord) {
  return {
    id: record.internalId,
    trigger: record.event.name,
    type: "EVENT",
    createdAt: record.event.ts,
    runs: async () => (await runsOf(ctx, record)).map((run) => legacyRunNode(ctx, run)),
    inBatch: false,
  };
}
