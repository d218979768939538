/** The write side of REST v1: cancel, rerun and replay runs, send events, record run metadata. */
import type { z } from "zod";
import { NotFoundError, ValidationError } from "../../../domain/errors.js";
import { recordRunMetadata } from "../../observability/runMetadata.js";
import {
  cancelRun,
  type ReplayDeps,
  type RunActionDeps,
  replayEvents,
  rerunRun,
  type SendDeps,
  sendEvents,
} from "../runActions.js";
import { parseTime } from "./params.js";
import { isUlid } from "./reads.js";
import type { replayRequestSchema, rerunRequestSchema } from "./requests.js";
import type {
  eventIdsAnswerSchema,
  metadataAnswerSchema,
  runAnswerSchema,
  runIdAnswerSchema,
  runIdsAnswerSchema,
} from "./schemas.js";
import { responseMetadata, runView } from "./views.js";

/** Unknown run ids are a 404 before any store is asked (see isUlid). */
function knownRunId(runId: string): string {
  if (!isUlid(runId)) throw new NotFoundError(`run ${runId} not found`);
  return runId;
}

/** `DELETE /v1/runs/{runId}`: the run as it is after the cancel (an ended run is left as is). */
export async function cancelRunView(
  deps: RunActionDeps,
  runId: string,
): Promise<z.infer<typeof runAnswerSchema>> {
  const run = await cancelRun(deps, knownRunId(runId));
  return { data: runView(run), metadata: responseMetadata(deps.clock.now()) };
}

export async function rerun(
  deps: RunActionDeps,
  runId: string,
  body: z.output<typeof rerunRequestSchema>,
): Promise<z.infer<typeof runIdAnswerSchema>> {
  const opts = body.from_step_id !== undefined ? { fromStepId: body.from_step_id } : {};
  const newRunId = await rerunRun(deps, knownRunId(runId), opts);
  return { data: { run_id: newRunId }, metadata: responseMetadata(deps.clock.now()) };
}

/** A replay of one run is a rerun from the start. */
export async function replayRun(
  deps: RunActionDeps,
  runId: string,
): Promise<z.infer<typeof runIdAnswerSchema>> {
  return rerun(deps, runId, {});
}

/** A body field holding a time (RFC 3339, or epoch seconds/ms as the query parameters); else a 400. */
export function bodyTime(name: string, text: string): number {
  const ms = parseTime(text);
  if (ms === undefined) throw new ValidationError(`invalid body: ${name}: must be an RFC 3339 time`);
  return ms;
}

export async function replay(
  deps: ReplayDeps,
  body: z.output<typeof replayRequestSchema>,
): Promise<z.infer<typeof runIdsAnswerSchema>> {
  const runIds = await replayEvents(deps, {
    fnSlug: body.function_id,
    from: bodyTime("from", body.from),
    until: bodyTime("until", body.until),
  });
  return { data: { run_ids: runIds }, metadata: responseMetadata(deps.clock.now()) };
}

export async function sendEventsView(
  deps: SendDeps,
  body: string,
): Promise<z.infer<typeof eventIdsAnswerSchema>> {
  const ids = await sendEvents(deps, body);
  return { data: { ids }, metadata: responseMetadata(deps.clock.now()) };
}

export async function recordMetadata(
  deps: RunActionDeps,
  runId: string,
  body: string,
): Promise<z.infer<typeof metadataAnswerSchema>> {
  const { records } = await recordRunMetadata(deps, knownRunId(runId), body);
  return { data: { records }, metadata: responseMetadata(deps.clock.now()) };
}
