/**
 * The run state endpoints of PROTOCOL 4.7: when an execution request would exceed 4 MiB, the
 * server sends `use_api: true` with empty `events` / `steps`, and the SDK fetches them here:
 * `GET /v0/runs/{runId}/batch` (the run's events) and `GET /v0/runs/{runId}/actions` (hashed step
 * id → stored value). Both answer exactly what `buildSdkRequest` would have put in the request.
 */
import type { z } from "zod";
import { NotFoundError, ValidationError } from "../../../domain/errors.js";
import type { Json } from "../../../domain/json.js";
import type { RunRecord, StepRecord } from "../../../domain/schemas.js";
import type { RunStore } from "../../../ports/index.js";
import { isUlid } from "./reads.js";
import type { runActionsAnswerSchema, runBatchAnswerSchema } from "./schemas.js";

export interface RunStateDeps {
  runs: RunStore;
}

/** The run and its stored steps; a malformed id is a 400 (as in Go), an unknown run a 404. */
async function runState(deps: RunStateDeps, runId: string): Promise<{ run: RunRecord; steps: StepRecord[] }> {
  if (!isUlid(runId)) throw new ValidationError(`run id ${JSON.stringify(runId)} is not a ULID`);
  const state = await deps.runs.getRunState(runId);
  if (!state) throw new NotFoundError(`run ${runId} not found`);
  return state;
}

/** `events` of the execution request: the run's events, as sent. */
export async function getRunBatch(
  deps: RunStateDeps,
  runId: string,
): Promise<z.infer<typeof runBatchAnswerSchema>> {
  const { run } = await runState(deps, runId);
  return run.events.map((e) => ({ ...e }));
}

/** `steps` of the execution request: every stored step's value by its hashed id. */
export async function getRunActions(
  deps: RunStateDeps,
  runId: string,
): Promise<z.infer<typeof runActionsAnswerSchema>> {
  const { steps } = await runState(deps, runId);
  const memo: Record<string, Json> = {};
  for (const s of steps) memo[s.stepId] = s.value;
  return memo;
}
