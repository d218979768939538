import type { RunTransition } from "../../ports/index.js";
import { LIMITS } from "../../protocol/constants.js";
import { resolveSleepTarget } from "../../protocol/duration.js";
import { type SdkOutcome, type StepOp, toStoredError } from "../../protocol/sdkResponse.js";
import type { Job, Json, ScheduledJob, StepRecord, StoredError } from "../types.js";

/**
 * Pure state transition for one SDK answer to one job: what to store and which jobs follow.
 * The executor commits the result conditionally on the run's version, so applying the same
 * answer twice is impossible: the second commit finds the version moved on.
 */
export interface DecideInput {
  job: Job;
  outcome: SdkOutcome;
  maxAttempts: number;
  stack: string[];
  now: number;
  /** Delay before retry number `attempt + 1` (backoff or fixed interval). */
  retryDelayMs: (failedAttempt: number) => number;
}

export interface Decision {
  transition: RunTransition;
  /** A short description for logs (never user data). */
  summary: string;
}

const UNSUPPORTED_OPS = new Set([
  "WaitForEvent",
  "InvokeFunction",
  "WaitForSignal",
  "AIGateway",
  "Gateway",
  "DiscoveryRequest",
]);

function followUp(job: Job, stepId: string, attempt: number, dueAt?: number): ScheduledJob {
  return { job: { ...job, stepId, attempt, version: job.version + 1 }, ...(dueAt ? { dueAt } : {}) };
}

function fail(now: number, error: StoredError, summary: string): Decision {
  return { transition: { set: { status: "Failed", endedAt: now, error, next: [] } }, summary };
}

function retryOrFail(input: DecideInput, error: StoredError, retriable: boolean, retryAt?: number): Decision {
  const { job, maxAttempts, now } = input;
  if (retriable && job.attempt + 1 < maxAttempts) {
    const dueAt = retryAt ?? now + input.retryDelayMs(job.attempt);
    return {
      transition: { set: { next: [followUp(job, job.stepId, job.attempt + 1, dueAt)] } },
      summary: `retry attempt ${job.attempt + 1} of ${maxAttempts}`,
    };
  }
  return fail(now, error, retriable ? "retries exhausted" : "non-retriable error");
}

function stepRecord(input: DecideInput, op: StepOp, value: Json): StepRecord {
  return {
    runId: input.job.runId,
    stepId: op.id,
    value,
    name: op.displayName ?? op.name ?? op.userland?.id,
    op: op.op,
    attempts: input.job.attempt,
    at: input.now,
  };
}

function storeStep(input: DecideInput, op: StepOp, value: Json, summary: string, dueAt?: number): Decision {
  if (input.stack.length + 1 > LIMITS.maxSteps) {
    return fail(
      input.now,
      { name: "Error", message: `function run exceeded the step limit of ${LIMITS.maxSteps}` },
      "step limit",
    );
  }
  const size = Buffer.byteLength(JSON.stringify(value ?? null), "utf8");
  if (size > LIMITS.stepOutputMaxBytes) {
    return fail(
      input.now,
      {
        name: "Error",
        message: `step "${op.displayName ?? op.id}" output is ${size} bytes; the limit is ${LIMITS.stepOutputMaxBytes}`,
      },
      "step output too large",
    );
  }
  const record = stepRecord(input, op, value);
  if (dueAt) record.at = Math.max(input.now, dueAt);
  return {
    transition: {
      steps: [record],
      set: { stack: [...input.stack, op.id], next: [followUp(input.job, "step", 0, dueAt)] },
    },
    summary,
  };
}

/**
 * A sleep's memo (null) is written now and the discovery that reveals it is scheduled for the
 * wake time: the version guard means nothing else can run the function in between.
 */
function sleep(input: DecideInput, op: StepOp): Decision {
  const target = typeof op.opts?.duration === "string" && !op.name ? op.opts.duration : (op.name ?? "");
  let wakeAt: number;
  try {
    wakeAt = resolveSleepTarget(target, input.now);
  } catch (err) {
    return fail(
      input.now,
      { name: "Error", message: `invalid sleep "${target}": ${(err as Error).message}` },
      "bad sleep",
    );
  }
  if (wakeAt - input.now > LIMITS.sleepMaxMs) {
    return fail(input.now, { name: "Error", message: "sleeps may last at most one year" }, "sleep too long");
  }
  return storeStep(input, op, null, "sleeping", wakeAt > input.now ? wakeAt : undefined);
}

function decideOps(input: DecideInput, ops: StepOp[], retriable: boolean, retryAt?: number): Decision {
  const [op] = ops;
  if (!op) return retryOrFail(input, { name: "Error", message: "SDK answered 206 with no ops" }, true);
  if (UNSUPPORTED_OPS.has(op.op)) {
    return fail(
      input.now,
      { name: "Error", message: `Step op ${op.op} is not supported by this Tideline version yet` },
      `unsupported op ${op.op}`,
    );
  }
  switch (op.op) {
    case "StepRun":
    case "Step":
      return storeStep(input, op, { data: (op.data ?? null) as Json }, "step completed");
    case "StepError": {
      const error = toStoredError(op.error);
      if (retriable && input.job.attempt + 1 < input.maxAttempts)
        return retryOrFail(input, error, true, retryAt);
      return storeStep(input, op, { error: error as unknown as Json }, "step failed for good");
    }
    case "StepFailed":
      return storeStep(
        input,
        op,
        { error: toStoredError(op.error) as unknown as Json },
        "step failed for good",
      );
    case "Sleep":
      return sleep(input, op);
    case "StepPlanned":
      // Planned steps run one at a time (targeted request) until parallel fan-out lands; the
      // discovery after each result re-reports the ones still pending.
      return {
        transition: { set: { next: [followUp(input.job, op.id, 0)] } },
        summary: "step planned",
      };
    default:
      return fail(input.now, { name: "Error", message: `Unknown step op ${op.op}` }, `unknown op ${op.op}`);
  }
}

export function decide(input: DecideInput): Decision {
  const { outcome, now } = input;
  switch (outcome.kind) {
    case "complete":
      return {
        transition: { set: { status: "Completed", endedAt: now, output: outcome.data, next: [] } },
        summary: "run completed",
      };
    case "ops": {
      const d = decideOps(input, outcome.ops, outcome.retriable ?? true, outcome.retryAt);
      if (outcome.requestVersion !== undefined) d.transition.set.requestVersion = outcome.requestVersion;
      return d;
    }
    case "error":
      return retryOrFail(input, outcome.error, outcome.retriable, outcome.retryAt);
    case "transport":
      return retryOrFail(input, { name: "Error", message: outcome.message }, true);
  }
}
