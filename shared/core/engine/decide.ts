import { type Json, jsonBytes } from "../../domain/json.js";
import { refOf } from "../../domain/pauses.js";
import type {
  AttemptRecord,
  DeferRecord,
  FunctionRecord,
  Job,
  Outbox,
  Pause,
  PauseRef,
  RunRecord,
  ScheduledJob,
  StepRecord,
  StoredError,
} from "../../domain/schemas.js";
import type { RunTransition } from "../../ports/index.js";
import { LIMITS, OPCODES } from "../../protocol/constants.js";
import type { SdkOutcome, StepOp } from "../../protocol/sdkResponse.js";
import { withFinish } from "../runs/finish.js";
import { DISCOVERY_STEP, isDiscovery, newJob } from "../scheduling/partition.js";
import { discoveryDue, pendingSteps, withoutJob } from "../scheduling/pending.js";
import { mergeDefers } from "./ops/defers.js";
import { opHandler } from "./ops/index.js";
import type { Continuation, OpContext, OpEffect } from "./ops/types.js";

/**
 * Pure state transition for one SDK answer to one job: what to store and which jobs follow. The
 * executor commits it conditionally on the run's version; when another transition wins the race
 * (a step of the same fan-out, a resumed wait), it decides again on the fresh state, so an answer
 * is applied exactly once and never over a state it did not see (core/engine/README.md).
 */
export interface DecideInput {
  job: Job;
  outcome: SdkOutcome;
  maxAttempts: number;
  /** The run as it is now (the commit expects its version). */
  run: RunRecord;
  /** Ids of the steps stored now: results for them are not stored again, nor planned again. */
  stored: ReadonlySet<string>;
  /** How many results the SDK request carried (the run's stack length when it was built). */
  requestStack: number;
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
  /** Steps to run as targeted jobs (every StepPlanned of the answer). */
  planned: { stepId: string; race?: boolean }[];
  /** Sleeps planned beside other steps: each a wake-up job due at `at` (its memo is written then). */
  wakes: { stepId: string; at: number; race?: boolean }[];
  /** The first exclusive op's continuation (a sleep or a retry). */
  exclusive?: Continuation;
  /** A result was stored that the function has not seen yet: it needs a discovery. */
  progressed: boolean;
  failedAttempt?: OpEffect["failedAttempt"];
  fail?: StoredError;
  summary: string;
}

/** A sleep's effect, kept apart until the answer shows whether the sleep runs beside other steps. */
interface SleepEffect {
  op: StepOp;
  effect: OpEffect;
  at: number;
}

function applyOps(ctx: OpContext, ops: StepOp[]): Applied {
  const applied: Applied = {
    steps: [],
    pauses: [],
    events: [],
    timers: [],
    defers: {},
    abortDefers: [],
    planned: [],
    wakes: [],
    progressed: false,
    summary: "",
  };
  const summaries: string[] = [];
  const sleeps: SleepEffect[] = [];
  for (const op of ops) {
    const effect = opHandler(op.op).handle(ctx, op);
    const next = effect.continueWith;
    if (op.op === OPCODES.sleep && !effect.fail && next?.kind === "discover") {
      sleeps.push({ op, effect, at: next.at ?? ctx.now });
      continue;
    }
    if (effect.exclusive) {
      if (applied.exclusive) continue; // reported again by the SDK at the next discovery
      applied.exclusive = next;
      if (effect.failedAttempt) applied.failedAttempt = effect.failedAttempt;
    } else if (next?.kind === "plan") {
      applied.planned.push({ stepId: next.stepId, ...(next.race ? { race: true } : {}) });
    } else if (next?.kind === "discover" && next.at === undefined) {
      applied.progressed = true;
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
  applySleeps(ctx, applied, sleeps);
  applied.summary = [...summaries, ...sleeps.map((s) => s.effect.summary)].join(", ");
  return applied;
}

/**
 * A sleep alone takes the run's turn: its memo is written now and the discovery that reveals it
 * is due at the wake time (nothing else can run the function meanwhile). A sleep beside other
 * steps (planned in the same answer, a wait, or a fan-out still pending) becomes a wake-up job of
 * its own instead, like a planned step: its memo is written when it wakes, so a discovery brought
 * by the others (a step settling, a wait resuming) cannot see it done early.
 */
function applySleeps(ctx: OpContext, applied: Applied, sleeps: SleepEffect[]): void {
  const [first] = sleeps;
  if (!first) return;
  const waits = applied.pauses.length > 0 || (ctx.run.pauses ?? []).some((p) => p.kind !== "cancel");
  const beside =
    applied.planned.length + sleeps.length > 1 || waits || pendingSteps(ctx.run.next, ctx.job).length > 0;
  if (beside) {
    for (const { op, at } of sleeps) {
      applied.wakes.push({ stepId: op.id, at, ...(op.opts?.parallelMode === "race" ? { race: true } : {}) });
    }
    return;
  }
  if (applied.exclusive) return; // reported again by the SDK at the next discovery
  applied.exclusive = first.effect.continueWith;
  applied.steps.push(...(first.effect.steps ?? []));
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

/** This job again, one attempt later (its own step, its race mode). */
function retryJob(input: DecideInput, dueAt: number): ScheduledJob {
  const { job, run } = input;
  return newJob(run, run.version + 1, {
    stepId: job.stepId,
    attempt: job.attempt + 1,
    dueAt,
    ...(job.race ? { race: true } : {}),
  });
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
        set: { next: [...withoutJob(input.run.next, job), retryJob(input, dueAt)] },
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
    const size = jsonBytes(step.value);
    if (size > LIMITS.stepOutputMaxBytes) {
      return {
        name: "Error",
        message: `step "${step.name ?? step.stepId}" output is ${size} bytes; the limit is ${LIMITS.stepOutputMaxBytes}`,
      };
    }
  }
  return undefined;
}

/**
 * The run's pending jobs after an answer: the others still pending, the planned steps not yet
 * stored or pending, and a discovery when the function has something new to see and nothing
 * pending will bring one:
 * - a result was stored, and no planned step is still pending (the official server's fan-in for
 *   request version 2; a race-mode step does not wait for its siblings);
 * - results arrived while the request ran (it answered a state already out of date);
 * - nothing is pending and nothing waits: the run would stall.
 * At most one discovery is pending at a time; a sleep's wake-up is one.
 */
function pendingAfter(input: DecideInput, applied: Applied, livePauses: readonly PauseRef[]): ScheduledJob[] {
  const { run, job, stored } = input;
  const version = run.version + 1;
  const next = withoutJob(run.next, job);
  if (applied.exclusive?.kind === "retry") return [...next, retryJob(input, applied.exclusive.at)];
  const pendingStepIds = new Set(pendingSteps(next).map((j) => j.job.stepId));
  for (const plan of applied.planned) {
    if (stored.has(plan.stepId) || pendingStepIds.has(plan.stepId)) continue;
    pendingStepIds.add(plan.stepId);
    next.push(newJob(run, version, { stepId: plan.stepId, ...(plan.race ? { race: true } : {}) }));
  }
  for (const wake of applied.wakes) {
    if (stored.has(wake.stepId) || pendingStepIds.has(wake.stepId)) continue;
    pendingStepIds.add(wake.stepId);
    const at = wake.at > input.now ? { dueAt: wake.at } : {};
    next.push(
      newJob(run, version, { stepId: wake.stepId, wake: true, ...at, ...(wake.race ? { race: true } : {}) }),
    );
  }
  const discoveryPending = () => next.some((j) => isDiscovery(j.job));
  if (applied.exclusive?.kind === "discover" && !discoveryPending()) {
    next.push(
      newJob(run, version, {
        stepId: DISCOVERY_STEP,
        ...(applied.exclusive.at !== undefined ? { dueAt: applied.exclusive.at } : {}),
      }),
    );
  }
  if (discoveryPending()) return next;
  const settled = discoveryDue(next);
  const waiting = livePauses.some((p) => p.kind !== "cancel");
  const fanIn = applied.progressed && (settled || job.race === true);
  const outdated = run.stack.length > input.requestStack && settled;
  const stalled = next.length === 0 && !waiting;
  if (fanIn || outdated || stalled) next.push(newJob(run, version, { stepId: DISCOVERY_STEP }));
  return next;
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

function decideOps(
  input: DecideInput,
  allOps: StepOp[],
  answer: { retriable: boolean; retryAt?: number; complete?: { data: Json } },
): Decision {
  const ctx = opContext(input, answer);
  const driving = allOps.filter((op) => !opHandler(op.op).lazy).length;
  if (!answer.complete && driving === 0) {
    return retryOrFail(input, { name: "Error", message: "SDK answered 206 with no ops" }, true);
  }
  // Ops for steps stored meanwhile (by a step of the same fan-out, a resumed wait, a checkpoint)
  // are old news: the first result stays, and a stored step is not planned again.
  const ops = allOps.filter((op) => opHandler(op.op).lazy || !input.stored.has(op.id));
  const applied = applyOps(ctx, ops);
  if (applied.fail) return fail(input.now, applied.fail, applied.summary);
  const problem = limitProblem(input, applied.steps);
  if (problem) return fail(input.now, problem, "run limit reached");
  const addedBytes = applied.steps.reduce((n, step) => n + jsonBytes(step.value), 0);
  const stateBytes = (input.run.stateBytes ?? 0) + addedBytes;
  if (stateBytes > LIMITS.runStateMaxBytes) {
    const message = `function run state is ${stateBytes} bytes; the limit is ${LIMITS.runStateMaxBytes}`;
    return fail(input.now, { name: "Error", message }, "run state limit reached");
  }
  const steps = {
    ...(applied.steps.length > 0 ? { steps: applied.steps } : {}),
    ...(applied.failedAttempt ? { attempts: [attemptRecord(input, applied.failedAttempt)] } : {}),
  };
  const stored =
    applied.steps.length > 0
      ? { stack: [...input.run.stack, ...applied.steps.map((s) => s.stepId)], stateBytes }
      : {};
  // A wait reported again (the SDK re-reports it until it resumes) replaces its own pause.
  const fresh = new Set(applied.pauses.map((p) => p.pauseId));
  const livePauses = [
    ...(input.run.pauses ?? []).filter((p) => !fresh.has(p.pauseId)),
    ...applied.pauses.map(refOf),
  ];
  const waits = applied.pauses.length
    ? { pauses: { put: applied.pauses }, live: { pauses: livePauses } }
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
          ...stored,
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
      set: {
        ...stored,
        ...defers,
        ...waits?.live,
        outbox,
        next: pendingAfter(input, applied, livePauses),
      },
      at: input.now,
    },
    summary: applied.summary || "nothing new",
  };
}

/**
 * The step a targeted job's answer settles, when that is all it does: one result (StepRun, or a
 * failure that is not retried) for the job's own step, within the run's limits. Such an answer
 * needs no decision on the run's state, so steps of a fan-out settle side by side
 * (RunStore.completeStep) instead of racing for the run's version. Undefined otherwise.
 */
export function settledStep(input: DecideInput): StepRecord | undefined {
  const { job, outcome, run } = input;
  if (isDiscovery(job) || outcome.kind !== "ops" || outcome.ops.length !== 1) return undefined;
  if (run.firstAttemptAt === undefined) return undefined;
  const [op] = outcome.ops;
  if (!op || op.id !== job.stepId || input.stored.has(op.id)) return undefined;
  if (![OPCODES.stepRun, OPCODES.step, OPCODES.stepError, OPCODES.stepFailed].includes(op.op as never)) {
    return undefined;
  }
  const ctx = opContext(input, {
    retriable: outcome.retriable ?? true,
    ...(outcome.retryAt !== undefined ? { retryAt: outcome.retryAt } : {}),
  });
  const effect = opHandler(op.op).handle(ctx, op);
  const [step] = effect.steps ?? [];
  if (effect.exclusive || effect.fail || !step || effect.steps?.length !== 1) return undefined;
  if (limitProblem(input, [step])) return undefined;
  return step;
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
