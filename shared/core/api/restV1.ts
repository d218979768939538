import { NotFoundError } from "../../domain/errors.js";
import type { Json } from "../../domain/json.js";
import { type RunRecord, storedErrorJson } from "../../domain/schemas.js";
import type { EventStore, RegistryStore, RunStore } from "../../ports/index.js";

export interface RestDeps {
  runs: RunStore;
  events: EventStore;
  registry: RegistryStore;
  now: () => number;
}

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/i;

function metadata(now: number): Json {
  return { fetched_at: new Date(now).toISOString(), cached_until: null };
}

/** The v1 REST run shape (SEMANTICS 8). */
export function runView(run: RunRecord, functionVersion = 1): Json {
  return {
    run_id: run.runId,
    run_started_at: new Date(run.startedAt).toISOString(),
    function_id: run.fnSlug,
    function_version: functionVersion,
    environment_id: "local",
    event_id: run.eventId,
    batch_id: null,
    original_run_id: null,
    cron: null,
    status: run.status,
    ended_at: run.endedAt !== undefined ? new Date(run.endedAt).toISOString() : null,
    output: run.status === "Failed" ? (run.error ? storedErrorJson(run.error) : null) : (run.output ?? null),
  };
}

export async function getRun(deps: RestDeps, runId: string): Promise<Json> {
  const run = ULID.test(runId) ? await deps.runs.getRun(runId) : undefined;
  if (!run) throw new NotFoundError(`run ${runId} not found`);
  return { data: runView(run), metadata: metadata(deps.now()) };
}

export async function getEventRuns(deps: RestDeps, eventId: string): Promise<Json> {
  const event = ULID.test(eventId) ? await deps.events.getEvent(eventId) : undefined;
  if (!event) throw new NotFoundError(`event ${eventId} not found`);
  const runs = await deps.runs.listRunsForEvent(eventId);
  runs.sort((a, b) => a.startedAt - b.startedAt);
  return { data: runs.map((r) => runView(r)), metadata: metadata(deps.now()) };
}
