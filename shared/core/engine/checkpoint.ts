/**
 * Async checkpointing (PROTOCOL 6.1–6.2): with `ctx.fn_id` and `ctx.qi_id` in its request, the JS
 * SDK runs the steps it reaches in-process and posts each result to
 * `POST /v1/checkpoint/{runId}/async` before going on. Each result is stored here as if the run's
 * job had returned it: an ordinary step, in the run's history and on its stack. The job's own
 * answer later ends the request (206 RunComplete, a plan, a wait…) and is decided on top.
 *
 * Idempotent: a checkpoint sent again stores nothing twice (a step is written only if absent).
 * A checkpoint for a job that is no longer pending (the run ended, was cancelled, or the job was
 * superseded) is refused with 409, which makes the SDK stop; that request's answer is then stale
 * to the executor as well, so nothing of it is kept.
 */
import { jsonBytes, toJson } from "../../domain/json.js";
import { jobId, type StepRecord } from "../../domain/schemas.js";
import type { Clock, RunStore } from "../../ports/index.js";
import { LIMITS, OPCODES } from "../../protocol/constants.js";
import type { StepOp } from "../../protocol/sdkResponse.js";
import { deferAbortEffect, deferAddEffect, mergeDefers } from "./ops/defers.js";
import { opMetadata, stepName } from "./ops/results.js";

export interface CheckpointDeps {
  runs: RunStore;
  clock: Clock;
}

export interface CheckpointInput {
  runId: string;
  /** The job the SDK request was made for (`ctx.qi_id`). */
  jobId: string;
  steps: StepOp[];
}

export type CheckpointResult = { status: 200 } | { status: 400 | 409 | 413; message: string };

/** Ops a checkpoint only announces (the step is about to run): nothing to store. */
const ANNOUNCED = new Set<string>([OPCODES.stepPlanned]);
const RESULTS = new Set<string>([OPCODES.stepRun, OPCODES.step]);
/** Lazy ops the SDK drains into its checkpoints: recorded on the run (PROTOCOL 6.4). */
const DEFERS = new Set<string>([OPCODES.deferAdd, OPCODES.deferAbort]);

/** Appends that lose to a concurrent transition's own copy of a step are tried again this often. */
const APPEND_ATTEMPTS = 5;

/** When the step began, from the SDK's timing (`a`, epoch nanoseconds), if it is plausible. */
function startedAt(op: StepOp, now: number): number {
  const timing = op.timing as { a?: unknown } | undefined;
  const ns = typeof timing?.a === "number" ? timing.a : undefined;
  const ms = ns !== undefined ? Math.floor(ns / 1e6) : undefined;
  return ms !== undefined && ms <= now && ms > now - 24 * 3600 * 1000 ? ms : now;
}

export async function checkpointSteps(
  deps: CheckpointDeps,
  input: CheckpointInput,
): Promise<CheckpointResult> {
  const now = deps.clock.now();
  const other = input.steps.find((op) => !RESULTS.has(op.op) && !ANNOUNCED.has(op.op) && !DEFERS.has(op.op));
  if (other) {
    // Async ops (sleeps, waits) end the request instead.
    return { status: 400, message: `${other.op} ops cannot be checkpointed; return them in the response` };
  }
  let steps: StepRecord[] = [];
  let bytes = 0;
  for (const op of input.steps.filter((s) => RESULTS.has(s.op))) {
    const value = { data: toJson(op.data ?? null) };
    const size = jsonBytes(value);
    if (size > LIMITS.stepOutputMaxBytes) {
      return {
        status: 413,
        message: `step "${stepName(op) ?? op.id}" output is ${size} bytes; the limit is ${LIMITS.stepOutputMaxBytes}`,
      };
    }
    if (steps.some((s) => s.stepId === op.id)) continue;
    bytes += size;
    const name = stepName(op);
    const metadata = opMetadata({ now }, op);
    steps.push({
      runId: input.runId,
      stepId: op.id,
      value,
      ...(name !== undefined ? { name } : {}),
      op: op.op,
      attempts: 0,
      at: now,
      startedAt: startedAt(op, now),
      ...(metadata ? { metadata } : {}),
    });
  }
  const defers = input.steps.filter((op) => DEFERS.has(op.op));
  if (defers.length > 0) return withDefers(deps, input, steps, defers, now);
  for (let attempt = 0; attempt < APPEND_ATTEMPTS && steps.length > 0; attempt++) {
    const result = await deps.runs.appendSteps(input.runId, {
      jobId: input.jobId,
      steps,
      bytes,
      maxStateBytes: LIMITS.runStateMaxBytes,
      at: now,
    });
    if (result === "ok") return { status: 200 };
    if (result === "stale")
      return { status: 409, message: "stale dispatch: the run's job is no longer running" };
    if (result === "full") {
      return { status: 413, message: `function run state would exceed ${LIMITS.runStateMaxBytes} bytes` };
    }
    // Some are stored already (a checkpoint sent again): keep the first results, append the rest.
    const stored = new Set(result.stored);
    steps = steps.filter((s) => !stored.has(s.stepId));
    bytes = steps.reduce((n, s) => n + jsonBytes(s.value), 0);
  }
  if (steps.length > 0) throw new Error(`run ${input.runId}: checkpoint kept racing concurrent writes`);
  return { status: 200 };
}

/**
 * A checkpoint that also records defers: the run's defers are merged, so this one reads the run
 * and commits on its version (a lost race reads again), instead of the blind append.
 */
async function withDefers(
  deps: CheckpointDeps,
  input: CheckpointInput,
  steps: StepRecord[],
  ops: StepOp[],
  now: number,
): Promise<CheckpointResult> {
  const effects = ops.map((op) => (op.op === OPCODES.deferAdd ? deferAddEffect(op) : deferAbortEffect(op)));
  const failed = effects.find((e) => e.fail);
  if (failed?.fail) return { status: 400, message: failed.fail.message };
  const changes = {
    defers: Object.assign({}, ...effects.map((e) => e.defers ?? {})),
    abortDefers: effects.flatMap((e) => e.abortDefers ?? []),
  };
  for (let attempt = 0; attempt < APPEND_ATTEMPTS; attempt++) {
    const run = await deps.runs.getRun(input.runId);
    if (run?.status !== "Running" || !run.next.some((j) => jobId(j.job) === input.jobId)) {
      return { status: 409, message: "stale dispatch: the run's job is no longer running" };
    }
    const fresh = steps.filter((s) => !run.stack.includes(s.stepId));
    const stateBytes = (run.stateBytes ?? 0) + fresh.reduce((n, s) => n + jsonBytes(s.value), 0);
    if (stateBytes > LIMITS.runStateMaxBytes) {
      return { status: 413, message: `function run state would exceed ${LIMITS.runStateMaxBytes} bytes` };
    }
    const merged = mergeDefers(run, changes);
    if (typeof merged === "string") return { status: 413, message: merged };
    const committed = await deps.runs.commitTransition(input.runId, run.version, {
      ...(fresh.length ? { steps: fresh } : {}),
      set: {
        ...(fresh.length ? { stack: [...run.stack, ...fresh.map((s) => s.stepId)], stateBytes } : {}),
        ...(merged ? { defers: merged } : {}),
      },
      at: now,
    });
    if (committed) return { status: 200 };
  }
  throw new Error(`run ${input.runId}: checkpoint kept racing concurrent writes`);
}
