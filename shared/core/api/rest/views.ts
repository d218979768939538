/** Stored records as REST v1 shows them (schemas.ts defines the shapes). */
import type { Json } from "../../../domain/json.js";
import {
  type FunctionRecord,
  type RunRecord,
  type RunSummary,
  type StoredError,
  type StoredEventRecord,
  storedErrorSchema,
} from "../../../domain/schemas.js";
import type { CancellationRecord } from "../../../ports/index.js";
import type {
  CancellationView,
  EventView,
  FunctionView,
  ResponseMetadata,
  RunView,
  StoredErrorView,
} from "./schemas.js";

/** Tideline has one environment per deployment. */
const ENVIRONMENT_ID = "local";

export const iso = (ms: number): string => new Date(ms).toISOString();

export function responseMetadata(now: number): ResponseMetadata {
  return { fetched_at: iso(now), cached_until: null };
}

export function eventView(record: StoredEventRecord): EventView {
  const { event } = record;
  return {
    internal_id: record.internalId,
    environment_id: ENVIRONMENT_ID,
    received_at: iso(record.receivedAt),
    id: event.id,
    name: event.name,
    data: event.data,
    user: event.user,
    ts: event.ts,
    ...(event.v !== undefined ? { v: event.v } : {}),
  };
}

export function errorView(error: StoredError): StoredErrorView {
  const view: StoredErrorView = { name: error.name, message: error.message };
  for (const [key, value] of Object.entries(error)) if (value !== undefined) view[key] = value;
  return view;
}

/** A step value that is not a stored error shape still shows as one (its JSON as the message). */
export function errorFromJson(value: Json): StoredErrorView {
  const parsed = storedErrorSchema.safeParse(value);
  return parsed.success ? errorView(parsed.data) : { name: "Error", message: JSON.stringify(value) };
}

/** A run in the v1 shape; a listing's summary has no `output`. */
export function runView(run: RunSummary | RunRecord, functionVersion = 1): RunView {
  const view: RunView = {
    run_id: run.runId,
    run_started_at: iso(run.startedAt),
    function_id: run.fnSlug,
    function_version: functionVersion,
    environment_id: ENVIRONMENT_ID,
    event_id: run.eventId,
    batch_id: null,
    original_run_id: null,
    cron: null,
    status: run.status,
    ended_at: run.endedAt !== undefined ? iso(run.endedAt) : null,
  };
  if ("events" in run) view.output = runOutput(run);
  return view;
}

function runOutput(run: RunRecord): Json {
  if (run.status === "Failed") return run.error ? errorView(run.error) : null;
  return run.output ?? null;
}

export function functionView(fn: FunctionRecord): FunctionView {
  return {
    internal_id: fn.internalId,
    id: fn.slug,
    slug: fn.slug,
    name: fn.name,
    app_id: fn.appId,
    triggers: fn.triggers.map((t) => ({ ...t })),
    config: fn.config,
    updated_at: iso(fn.updatedAt),
  };
}

export function cancellationView(record: CancellationRecord): CancellationView {
  return {
    id: record.id,
    environment_id: ENVIRONMENT_ID,
    app_id: record.appId,
    function_id: record.fnSlug,
    function_internal_id: record.fnInternalId,
    started_after: record.startedAfter !== undefined ? iso(record.startedAfter) : null,
    started_before: iso(record.startedBefore),
    if: record.if ?? null,
    created_at: iso(record.createdAt),
  };
}
