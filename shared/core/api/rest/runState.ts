/**
 * The run state endpoints of PROTOCOL 4.7: when an execution request would exceed 4 MiB, the
 * server sends `use_api: true` with empty `events` / `steps`, and the SDK fetches them here:
 * `GET /v0/runs/{runId}/batch` (the run's events) and `GET /v0/runs/{runId}/actions` (hashed step
 * id → stored value). Both answer what `buildSdkRequest` puts in a request (the same functions).
 */
import type { z } from "zod";
import { NotFoundError, ValidationError } from "../../../domain/errors.js";
import type { RunStore } from "../../../ports/index.js";
import { requestEvents, requestMemo } from "../../engine/sdkRequest.js";
import { isUlid } from "./reads.js";
import type { runActionsAnswerSchema, runBatchAnswerSchema } from "./schemas.js";

export interface RunStateDeps {
  runs: RunStore;
}

/** A malformed id is a 400 (as in Go), an unknown run a 404. */
function checkId(runId: string): void {
  if (!isUlid(runId)) throw new ValidationError(`run id ${JSON.stringify(runId)} is not a ULID`);
}

/** `events` of the execution request: the run's events, as sent (one read of the run item). */
export async function getRunBatch(
  deps: RunStateDeps,
  runId: string,
): Promise<z.infer<typeof runBatchAnswerSchema>> {
  checkId(runId);
  const run = await deps.runs.getRun(runId);
  if (!run) throw new NotFoundError(`run ${runId} not found`);
  return requestEvents(run);
}

/** `steps` of the execution request: every stored step's value by its hashed id. */
export async function getRunActions(
  deps: RunStateDeps,
  runId: string,
): Promise<z.infer<typeof runActionsAnswerSchema>> {
  checkId(runId);
  const state = await deps.runs.getRunState(runId);
  if (!state) throw new NotFoundError(`run ${runId} not found`);
  return requestMemo(state.steps);
}
