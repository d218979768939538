import type { Json } from "../../domain/json.js";
import { refOf } from "../../domain/pauses.js";
import type {
  AttemptRecord,
  DeferRecord,
  FunctionRecord,
  Job,
  Outbox,
  Pause,
  RunRecord,
  ScheduledJob,
  StepRecord,
  StoredError,
} from "../../domain/schemas.js";
import type { RunTransition } from "../../ports/index.js";
import { LIMITS } from "../../protocol/constants.js";
import type { SdkOutcome, StepOp } from "../../protocol/sdkResponse.js";
import { withFinish } from "../runs/finish.js";
import { followUp } from "../scheduling/followUp.js";
import { opHandler } from "./ops/index.js";
import type { Continuation, OpContext, OpEffect } from "./ops/types.js";

/**
 * Pure state transition for one SDK answer to one job: what to store and which jobs follow.
 * The executor commits the result conditionally on the run's version, so applying the same
 * answer twice is impossible: the second commit finds the version moved on.
 */
export interface DecideInput {
  job: Job;
  outcome: SdkOutcome;
  maxAttempts: number;
  /** The run as the job found it (at the job's version). */
  run: RunRecord;
  /** Functions the answer's InvokeFunction ops target (looked up by the executor). */
  invokeTargets?: ReadonlyMap<string, FunctionRecord | undefined>;
  /** Current holders of the signals the answer's WaitForSignal ops name. */
  signalHolders?: ReadonlyMap<string, Pause | undefined>;
  now: number;
  /** When the SDK request began (attempt timing in the run's trace). */
  startedAt: number;
  /** Delay before retry number `attempt + 1` (backoff or fixed interval). */
  retryDelayMs: (failedAttempt: number) => number;
}

export interface Decision {
  transition: RunTransition;
  /** A short description for logs (never user data). */
  summary: string;
}

/** The ops of one answer folded together (see OpEffect for the rules). */
interface Applied {
  steps: StepRecord[];
  pauses: Pause[];
  events: NonNullable<Outbox["events"]>;
  timers: NonNullable<Outbox["timers"]>;
  defers: Record<string, DeferRecord>;
  abortDefers: string[];
  continueWith?: Continuation;
  failedAttempt?: OpEffect["failedAttempt"];
  fail?: StoredError;
  /** Ops that drive the run (every op but the lazy ones). */
  driving: number;
  summary: string;
}

function applyOps(ctx: OpContext, ops: StepOp[]): Applied {
  const applied: Applied = {
    steps: [],
    pauses: [],
    events: [],
    timers: [],
    defers: {},
    abortDefers: [],
    driving: 0,
    summary: "",
  };
  const summaries: string[] = [];
  let exclusiveTaken = false;
  for (const op of ops) {
    const handler = opHandler(op.op);
    if (!handler.lazy) applied.driving++;
    const effect = handler.handle(ctx, op);
    if (effect.exclusive) {
      if (exclusiveTaken) continue; // reported again by the SDK at the next discovery
      exclusiveTaken = true;
      applied.continueWith = effect.continueWith;
      if (effect.failedAttempt) applied.failedAttempt = effect.failedAttempt;
    } else if (effect.continueWith && !exclusiveTaken) {
      // A wait holds the run only when nothing else moves it: a step planned beside a wait
      // (`Promise.all([step.run(…), step.waitForEvent(…)])`) runs while the run waits.
      if (effect.continueWith.kind !== "wait" || applied.continueWith === undefined) {
        applied.continueWith = effect.continueWith;
      }
    }
    summaries.push(effect.summary);
    applied.fail ??= effect.fail;
    applied.steps.push(...(effect.steps ?? []));
    applied.pauses.push(...(effect.pauses ?? []));
    applied.events.push(...(effect.outbox?.events ?? []));
    applied.timers.push(...(effect.outbox?.timers ?? []));
    Object.assign(applied.defers, effect.defers);
    applied.abortDefers.push(...(effect.abortDefers ?? []));
  }
  applied.summary = summaries.join(", ");
  return applied;
}

function fail(now: number, error: StoredError, summary: string, attempts?: AttemptRecord[]): Decision {
  return {
    transition: {
      ...(attempts?.length ? { attempts } : {}),
      set: { status: "Failed", endedAt: now, error, next: [] },
      at: now,
    },
    summary,
  };
}

/** The trace's record of an attempt that failed (unique per run version: one commit per version). */
function attemptRecord(input: DecideInput, failed: NonNullable<OpEffect["failedAttempt"]>): AttemptRecord {
  return {
    runId: input.job.runId,
    attempt: input.job.attempt,
    startedAt: input.startedAt,
    endedAt: input.now,
    version: input.job.version,
    ...failed,
  };
}

/** An error of the whole request (not a step op): retried as the same job while attempts remain. */
function retryOrFail(input: DecideInput, error: StoredError, retriable: boolean, retryAt?: number): Decision {
  const { job, maxAttempts, now } = input;
  const attempts = [attemptRecord(input, { stepId: job.stepId, error })];
  if (retriable && job.attempt + 1 < maxAttempts) {
    const dueAt = retryAt ?? now + input.retryDelayMs(job.attempt);
    return {
      transition: {
        attempts,
        set: { next: [followUp(job, { stepId: job.stepId, attempt: job.attempt + 1, dueAt })] },
        at: now,
      },
      summary: `retry attempt ${job.attempt + 1} of ${maxAttempts}`,
    };
  }
  return fail(now, error, retriable ? "retries exhausted" : "non-retriable error", attempts);
}

/** The run's own limits on what one answer may add: step count and output size. */
function limitProblem(input: DecideInput, steps: StepRecord[]): StoredError | undefined {
  if (input.run.stack.length + steps.length > LIMITS.maxSteps) {
    return { name: "Error", message: `function run exceeded the step limit of ${LIMITS.maxSteps}` };
  }
  for (const step of steps) {
    const size = Buffer.byteLength(JSON.stringify(step.value ?? null), "utf8");
    if (size > LIMITS.stepOutputMaxBytes) {
      return {
        name: "Error",
        message: `step "${step.name ?? step.stepId}" output is ${size} bytes; the limit is ${LIMITS.stepOutputMaxBytes}`,
      };
    }
  }
  return undefined;
}

function nextJobs(job: Job, next: Continuation | undefined): ScheduledJob[] {
  switch (next?.kind) {
    case "wait":
      return [];
    case "runStep":
      return [followUp(job, { stepId: next.stepId, attempt: 0 })];
    case "retry":
      return [followUp(job, { stepId: job.stepId, attempt: job.attempt + 1, dueAt: next.at })];
    default:
      return [followUp(job, { stepId: "step", attempt: 0, ...(next?.at ? { dueAt: next.at } : {}) })];
  }
}

function opContext(
  input: DecideInput,
  answer: { retriable: boolean; retryAt?: number; complete?: { data: Json } },
): OpContext {
  return {
    ...input,
    invokeTargets: input.invokeTargets ?? new Map(),
    signalHolders: input.signalHolders ?? new Map(),
    ...answer,
  };
}

/** The run's defers after an answer's DeferAdd/DeferAbort ops; a message when over the limit. */
function mergeDefers(
  run: RunRecord,
  applied: Pick<Applied, "defers" | "abortDefers">,
): Record<string, DeferRecord> | string | undefined {
  if (Object.keys(applied.defers).length === 0 && applied.abortDefers.length === 0) return undefined;
  // A DeferAdd the SDK sends again (it had not seen it recorded) keeps the first recording.
  const merged: Record<string, DeferRecord> = { ...applied.defers, ...run.defers };
  for (const id of applied.abortDefers) {
    const known = merged[id];
    if (known) merged[id] = { ...known, aborted: true };
  }
  const count = Object.keys(merged).length;
  if (count > LIMITS.maxDefers)
    return `a run may record at most ${LIMITS.maxDefers} defers (it sent ${count})`;
  return merged;
}

function decideOps(
  input: DecideInput,
  ops: StepOp[],
  answer: { retriable: boolean; retryAt?: number; complete?: { data: Json } },
): Decision {
  const ctx = opContext(input, answer);
  const applied = applyOps(ctx, ops);
  if (applied.fail) return fail(input.now, applied.fail, applied.summary);
  if (!answer.complete && applied.driving === 0) {
    return retryOrFail(input, { name: "Error", message: "SDK answered 206 with no ops" }, true);
  }
  const problem = limitProblem(input, applied.steps);
  if (problem) return fail(input.now, problem, "run limit reached");
  const steps = {
    ...(applied.steps.length > 0 ? { steps: applied.steps } : {}),
    ...(applied.failedAttempt ? { attempts: [attemptRecord(input, applied.failedAttempt)] } : {}),
  };
  const stack =
    applied.steps.length > 0 ? { stack: [...input.run.stack, ...applied.steps.map((s) => s.stepId)] } : {};
  // A wait reported again (the SDK re-reports it until it resumes) replaces its own pause.
  const fresh = new Set(applied.pauses.map((p) => p.pauseId));
  const waits = applied.pauses.length
    ? {
        pauses: { put: applied.pauses },
        live: {
          pauses: [
            ...(input.run.pauses ?? []).filter((p) => !fresh.has(p.pauseId)),
            ...applied.pauses.map(refOf),
          ],
        },
      }
    : undefined;
  const outbox: Outbox = {
    ...(applied.events.length ? { events: applied.events } : {}),
    ...(applied.timers.length ? { timers: applied.timers } : {}),
  };
  const merged = mergeDefers(input.run, applied);
  if (typeof merged === "string") return fail(input.now, { name: "Error", message: merged }, "defer limit");
  const defers = merged ? { defers: merged } : {};
  if (answer.complete) {
    return {
      transition: {
        ...steps,
        set: {
          ...stack,
          ...defers,
          outbox,
          status: "Completed",
          endedAt: input.now,
          output: answer.complete.data,
          next: [],
        },
        at: input.now,
      },
      summary: "run completed",
    };
  }
  return {
    transition: {
      ...steps,
      ...(waits ? { pauses: waits.pauses } : {}),
      set: { ...stack, ...defers, ...waits?.live, outbox, next: nextJobs(input.job, applied.continueWith) },
      at: input.now,
    },
    summary: applied.summary,
  };
}

export function decide(input: DecideInput): Decision {
  const { outcome } = input;
  let decision: Decision;
  switch (outcome.kind) {
    case "complete":
      // Ops riding along a completion (results of steps the SDK ran on the way) are kept.
      decision = decideOps(input, outcome.ops ?? [], { retriable: false, complete: { data: outcome.data } });
      break;
    case "ops":
      decision = decideOps(input, outcome.ops, {
        retriable: outcome.retriable ?? true,
        ...(outcome.retryAt !== undefined ? { retryAt: outcome.retryAt } : {}),
      });
      break;
    case "error": {
      decision = retryOrFail(input, outcome.error, outcome.retriable, outcome.retryAt);
      // Defers the function recorded before it threw still count (they ride along the error).
      const lazy = applyOps(
        opContext(input, { retriable: false }),
        (outcome.ops ?? []).filter((op) => opHandler(op.op).lazy),
      );
      const merged = mergeDefers(input.run, lazy);
      if (typeof merged === "object") decision.transition.set.defers = merged;
      break;
    }
    case "transport":
      decision = retryOrFail(input, { name: "Error", message: outcome.message }, true);
      break;
  }
  if (outcome.kind !== "transport" && outcome.requestVersion !== undefined) {
    decision.transition.set.requestVersion = outcome.requestVersion;
  }
  // Each transition replaces the outbox: a redelivered job re-sends only its own transition's.
  decision.transition.set.outbox ??= {};
  // A run that ends drops its pauses and announces it (function.finished and the rest).
  const { run } = input;
  const ended = { ...run, defers: decision.transition.set.defers ?? run.defers };
  decision.transition = withFinish(ended, decision.transition, input.now);
  return decision;
}
