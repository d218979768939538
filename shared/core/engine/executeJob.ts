import { randomUUID } from "node:crypto";
import { jsonBytes } from "../../domain/json.js";
import {
  type FunctionRecord,
  type Job,
  jobId,
  type Pause,
  type RunRecord,
  type ScheduledJob,
  type StepRecord,
} from "../../domain/schemas.js";
import {
  applyTransition,
  type PauseStore,
  type RegistryStore,
  type RunStore,
  type RunTransition,
} from "../../ports/index.js";
import { retryDelayMs } from "../../protocol/backoff.js";
import { LIMITS, OPCODES } from "../../protocol/constants.js";
import type { SdkOutcome } from "../../protocol/sdkResponse.js";
import { traceParent, traceState } from "../../protocol/traceContext.js";
import { claimLeases, isLimited, leaseMs, refillAfter, releaseLeases, renew } from "../flow/concurrency.js";
import { runTimeouts } from "../runs/runSetup.js";
import { type DispatchDeps, dispatchCommitted } from "../scheduling/dispatch.js";
import { DISCOVERY_STEP, newJob } from "../scheduling/partition.js";
import { addedJobs, discoveryDue, isPending, pendingSteps } from "../scheduling/pending.js";
import { callSdk, type SdkCallDeps } from "./callSdk.js";
import { type DecideInput, decide, settledStep } from "./decide.js";
import { buildSdkRequest, stepUrl } from "./sdkRequest.js";

export type { HttpCall } from "./callSdk.js";

export interface ExecutorDeps extends DispatchDeps, SdkCallDeps {
  runs: RunStore;
  pauses: PauseStore;
  registry: RegistryStore;
  retryIntervalSeconds?: number;
  /** Offer the SDK async checkpointing (default true; PROTOCOL 6.1). */
  checkpointing?: boolean;
  random?: () => number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export type JobResult = "applied" | "stale" | "redispatched" | "dropped" | "parked";

/** Longest single SDK request (Go server: 2 h); bounded further by the Lambda's remaining time. */
const MAX_REQUEST_MS = 2 * 60 * 60 * 1000;

/**
 * The executor goes on with a run's next job itself, without the queue, while at least this much
 * of its invocation remains: a step then costs one SDK call and one commit.
 */
export const INLINE_MIN_REMAINING_MS = 10 * 60 * 1000;

/**
 * Decisions to retry when other transitions of the same run commit first (steps of a fan-out
 * settling together, a resumed wait, checkpoints). Past that the job throws and comes back.
 */
export const COMMIT_ATTEMPTS = 25;

interface RunState {
  run: RunRecord;
  steps: StepRecord[];
  /**
   * True when `run` was read again alone (GetItem) and `steps` may miss results stored since (by
   * checkpoints, other steps of a fan-out): the ids on the run's stack are complete, the values
   * are not, so the next request needs a full read first.
   */
  partial?: boolean;
}

/**
 * Runs one job from the work queue, and then the jobs that follow it while the run goes on alone
 * (core/engine/README.md):
 * 1. A job runs only while the run lists it as pending (`run.next`); anything else is stale.
 * 2. One signed SDK request; its answer is decided against the run and committed conditionally
 *    on the run's version. If another transition won, the answer is decided again on the fresh
 *    state (a result already stored stays first; a job no longer pending is dropped).
 * 3. The commit's new jobs are sent, unless exactly one immediate job follows and nothing else is
 *    pending: the executor runs it itself (in-memory state, no queue round trip).
 * A redelivered message that carried the latest executor commit (`run.carrier`) re-sends what is
 * pending: the executor died before sending it. Any failure to commit throws, so the message is
 * delivered again instead of acknowledged with nothing committed.
 */
export async function executeJob(
  deps: ExecutorDeps,
  first: Job,
  opts: {
    receiveCount: number;
    /** The invocation's time left (read again before each job it goes on with). */
    remainingMs: number | (() => number);
  },
): Promise<JobResult> {
  const log = deps.log ?? (() => {});
  const startedIn = deps.clock.now();
  const given = opts.remainingMs;
  const remaining = () => (typeof given === "number" ? given - (deps.clock.now() - startedIn) : given());
  /** This executor, as the owner of the concurrency leases of the jobs it runs. */
  const owner = randomUUID();
  let state: RunState | undefined = await deps.runs.getRunState(first.runId);
  if (!state) {
    log("job for unknown run dropped", { runId: first.runId });
    await giveBack(deps, first, owner);
    return "dropped";
  }
  const carrier = jobId(first);
  if (opts.receiveCount > 1 && state.run.carrier === carrier && !isPending(state.run, first)) {
    await giveBack(deps, first, owner);
    await redispatch(deps, state.run);
    return "redispatched";
  }
  let job = first;
  let leased = false;
  for (;;) {
    if (state.partial) state = await deps.runs.getRunState(job.runId);
    if (state?.run.status !== "Running" || !isPending(state.run, job)) {
      // A job sent with leases that no longer runs gives them back at once.
      await giveBack(deps, job, owner);
      return state ? "stale" : "dropped";
    }
    // Concurrency: claim the lease taken at dispatch (or take one if it lapsed; else wait parked).
    // A second delivery of a job another executor runs now is dropped: it would hold one slot twice.
    if (isLimited(job) && !leased) {
      const claimed = await claimLeases(deps, job, owner);
      if (claimed !== "held") return claimed === "busy" ? "stale" : "parked";
    }
    const current: RunState = state;
    const step = await holdingLeases(deps, job, owner, () =>
      runOnce(deps, current, job, carrier, remaining()),
    );
    const waiting = isLimited(job) ? await releaseLeases(deps, job, owner) : [];
    if (step.result !== "applied") {
      await refillAfter(deps, waiting);
      return step.result;
    }
    const { committed, added } = step;
    state = committed;
    const following = added[0];
    let inline =
      following !== undefined &&
      added.length === 1 &&
      committed.run.next.length === 1 &&
      (following.dueAt ?? 0) <= deps.clock.now() &&
      remaining() >= INLINE_MIN_REMAINING_MS;
    // The next job takes the freed slot ahead of waiting runs; if it cannot, it waits parked.
    let parked = false;
    if (inline && following && isLimited(following.job)) {
      parked = (await claimLeases(deps, following.job, owner)) !== "held";
      inline = !parked;
    }
    const sent = inline || parked ? [] : added;
    const dispatch = dispatchCommitted(
      deps,
      { next: sent, outbox: committed.run.outbox },
      { continuing: true },
    );
    // The run's own next jobs take freed slots first; with none to send (the run ended, or its
    // next job runs here), the backlog is refilled while the outbox goes out.
    if (sent.length > 0) await dispatch;
    await Promise.all([dispatch, refillAfter(deps, waiting, { sentSince: sent.length > 0 || inline })]);
    if (!inline || !following) return "applied";
    job = following.job;
    leased = true;
  }
}

/**
 * Runs `work` while renewing the job's leases, so a long request keeps its slots. If it throws
 * (the message comes back later), the slots are given back meanwhile.
 */
async function holdingLeases<T>(
  deps: ExecutorDeps,
  job: Job,
  owner: string,
  work: () => Promise<T>,
): Promise<T> {
  if (!isLimited(job)) return work();
  const log = deps.log ?? (() => {});
  const every = leaseMs(deps) / 3;
  // The renewal in flight is awaited before the leases are given back, so none lands after.
  let renewing: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    renewing = renew(deps, job, owner).then(
      (kept) => kept || log("a concurrency lease lapsed while its request ran", { runId: job.runId }),
      (err: unknown) => log("lease renewal failed", { runId: job.runId, error: String(err) }),
    );
  }, every);
  try {
    return await work();
  } catch (err) {
    clearInterval(timer);
    await renewing;
    await giveBack(deps, job, owner).catch(() => {});
    throw err;
  } finally {
    clearInterval(timer);
    await renewing;
  }
}

/**
 * Releases the job's leases (if it has limits) and refills their slots. Leases another executor
 * owns (it still runs the job) are left alone.
 */
async function giveBack(deps: ExecutorDeps, job: Job, owner: string): Promise<void> {
  if (isLimited(job)) await refillAfter(deps, await releaseLeases(deps, job, owner));
}

/** Re-sends every pending job and the latest outbox (deterministic ids make copies harmless). */
function redispatch(deps: ExecutorDeps, run: RunRecord): Promise<void> {
  return dispatchCommitted(deps, { next: run.status === "Running" ? run.next : [], outbox: run.outbox });
}

type Once = { result: "applied"; committed: RunState; added: ScheduledJob[] } | { result: "stale" };

/** One SDK request for `job` and the commit of its answer. */
async function runOnce(
  deps: ExecutorDeps,
  state: RunState,
  job: Job,
  carrier: string,
  remainingMs: number,
): Promise<Once> {
  const log = deps.log ?? (() => {});
  const { run, steps } = state;
  if (job.wake) return wake(deps, run, job, carrier);
  const fn = await deps.registry.getFunction(run.fnSlug);
  const startedAt = deps.clock.now();
  let outcome: SdkOutcome = {
    kind: "error",
    retriable: false,
    error: { name: "Error", message: `function ${run.fnSlug} is not registered` },
  };
  let maxAttempts = 1;
  let checkpointed = false;
  if (fn) {
    maxAttempts = fn.retries + 1;
    const planOnly = pendingSteps(run.next, job).length > 0;
    outcome = await callSdk(deps, {
      url: stepUrl(fn.url, job.stepId),
      body: buildSdkRequest(run, steps, job, fn, { checkpoint: deps.checkpointing !== false, planOnly }),
      runId: job.runId,
      stepId: job.stepId,
      requestVersion: run.requestVersion,
      timeoutMs: Math.min(MAX_REQUEST_MS, remainingMs),
      trace: { parent: traceParent(run.runId, jobId(job)), state: traceState(run.appId, fn.internalId) },
    });
    // A checkpointing SDK ends with a RunComplete op, its steps stored on the way (PROTOCOL 6.1).
    checkpointed = outcome.kind === "complete" && outcome.byOp === true && !planOnly;
  }
  const random = deps.random ?? Math.random;
  const lookups = await opLookups(deps, outcome);
  const requestStack = run.stack.length;
  const input = (current: RunState): DecideInput => ({
    job,
    outcome,
    maxAttempts,
    run: current.run,
    stored: new Set([...current.steps.map((s) => s.stepId), ...current.run.stack]),
    requestStack,
    ...lookups,
    now: deps.clock.now(),
    startedAt,
    retryDelayMs: (failed) => retryDelayMs(failed, random, deps.retryIntervalSeconds),
  });
  const settled = settledStep(input(state));
  if (settled) {
    const result = await deps.runs.completeStep(run.runId, {
      jobId: jobId(job),
      step: settled,
      bytes: jsonBytes(settled.value),
      maxStateBytes: LIMITS.runStateMaxBytes,
      at: deps.clock.now(),
    });
    if (result === "stale") return { result: "stale" };
    // "full": decided below, where the run fails with the state limit's message.
    if (result !== "full") return fanIn(deps, result.run, job, carrier);
  }
  // Checkpoints have most likely moved the run's version during the request: read the run (not its
  // steps) once, rather than lose the first commit.
  let current: RunState = checkpointed ? await reread(deps, state) : state;
  for (let attempt = 0; attempt < COMMIT_ATTEMPTS; attempt++) {
    if (current.run.status !== "Running" || !isPending(current.run, job)) {
      log("answer dropped: the job is no longer pending", { runId: run.runId, stepId: job.stepId });
      return { result: "stale" };
    }
    const decision = decide(input(current));
    const { set } = decision.transition;
    set.carrier = carrier;
    if (current.run.firstAttemptAt === undefined) armFirstAttempt(set, run.runId, fn, startedAt);
    if (await deps.runs.commitTransition(run.runId, current.run.version, decision.transition)) {
      log(decision.summary, { runId: run.runId, fn: run.fnSlug, stepId: job.stepId, attempt: job.attempt });
      return {
        result: "applied",
        committed: applyCommitted(current, decision.transition),
        added: addedJobs(current.run.next, set.next ?? current.run.next),
      };
    }
    current = await reread(deps, current);
  }
  log("transition kept losing to concurrent ones", { runId: run.runId, stepId: job.stepId });
  throw new Error(`run ${run.runId}: ${COMMIT_ATTEMPTS} commits of one answer lost to concurrent ones`);
}

/** A sleep planned beside other steps wakes: its memo (null) is stored, and the fan-in follows. */
async function wake(deps: ExecutorDeps, run: RunRecord, job: Job, carrier: string): Promise<Once> {
  const now = deps.clock.now();
  const memo: StepRecord = {
    runId: run.runId,
    stepId: job.stepId,
    value: null,
    op: OPCODES.sleep,
    attempts: 0,
    at: now,
    startedAt: now,
  };
  const result = await deps.runs.completeStep(run.runId, {
    jobId: jobId(job),
    step: memo,
    bytes: jsonBytes(memo.value),
    maxStateBytes: LIMITS.runStateMaxBytes,
    at: now,
  });
  return result === "stale" || result === "full"
    ? { result: "stale" }
    : fanIn(deps, result.run, job, carrier);
}

/**
 * After a step of a fan-out settled: the discovery that follows, when the function has a result
 * to see and nothing pending will bring one (the last planned step of the fan-out, or any step of
 * a race), as decide's pendingAfter rules. Committed on the run's version: if another
 * transition wins, the run is read again and the rule applied again.
 */
async function fanIn(deps: ExecutorDeps, settled: RunRecord, job: Job, carrier: string): Promise<Once> {
  let run: RunRecord | undefined = settled;
  for (let attempt = 0; attempt < COMMIT_ATTEMPTS && run; attempt++) {
    // Nothing to send: the outbox on the run is another transition's.
    if (run.status !== "Running" || !discoveryDue(run.next, { race: job.race === true })) {
      return { result: "applied", committed: { run: { ...run, outbox: {} }, steps: [] }, added: [] };
    }
    const discovery = newJob(run, run.version + 1, { stepId: DISCOVERY_STEP });
    const t: RunTransition = {
      set: { next: [...run.next, discovery], carrier, outbox: {} },
      at: deps.clock.now(),
    };
    if (await deps.runs.commitTransition(run.runId, run.version, t)) {
      // The discovery may run inline next: it needs the run's whole state.
      const state = await deps.runs.getRunState(run.runId);
      if (!state) return { result: "stale" };
      return { result: "applied", committed: state, added: [discovery] };
    }
    run = await deps.runs.getRun(run.runId);
  }
  if (!run) return { result: "stale" };
  throw new Error(`run ${settled.runId}: fan-in kept losing to concurrent transitions`);
}

/**
 * The trace's "started": the first request's start, set once in the same commit. It also arms
 * timeouts.finish (SEMANTICS 5.9: measured from the first start).
 */
function armFirstAttempt(
  set: RunTransition["set"],
  runId: string,
  fn: FunctionRecord | undefined,
  startedAt: number,
): void {
  set.firstAttemptAt = startedAt;
  const finishMs = fn ? runTimeouts(fn).finishMs : undefined;
  if (finishMs !== undefined && (set.status === undefined || set.status === "Running")) {
    const timer = {
      item: { kind: "runTimeout" as const, runId, which: "finish" as const },
      dueAt: startedAt + finishMs,
    };
    set.outbox = { ...set.outbox, timers: [...(set.outbox?.timers ?? []), timer] };
  }
}

/** The run read again alone (one GetItem); its steps are kept and marked possibly incomplete. */
async function reread(deps: ExecutorDeps, state: RunState): Promise<RunState> {
  const run = await deps.runs.getRun(state.run.runId);
  if (!run) throw new Error(`run ${state.run.runId} vanished`);
  return run.version === state.run.version ? state : { run, steps: state.steps, partial: true };
}

/** The run and its steps as the store now holds them after `t` (what an inline job starts from). */
function applyCommitted(state: RunState, t: RunTransition): RunState {
  const written = new Set((t.steps ?? []).map((s) => s.stepId));
  const steps = [...state.steps.filter((s) => !written.has(s.stepId)), ...(t.steps ?? [])];
  return { run: applyTransition(state.run, t), steps, ...(state.partial ? { partial: true } : {}) };
}

/**
 * What the op handlers need to know beyond the run: the functions an answer invokes (an unknown
 * one fails the step) and who holds the signals it waits on (a conflict may fail it).
 */
async function opLookups(
  deps: ExecutorDeps,
  outcome: SdkOutcome,
): Promise<{
  invokeTargets: Map<string, FunctionRecord | undefined>;
  signalHolders: Map<string, Pause | undefined>;
}> {
  const ops = outcome.kind === "ops" || outcome.kind === "complete" ? (outcome.ops ?? []) : [];
  const invokeTargets = new Map<string, FunctionRecord | undefined>();
  const signalHolders = new Map<string, Pause | undefined>();
  await Promise.all(
    ops.map(async (op) => {
      if (op.op === OPCODES.invokeFunction && typeof op.opts?.function_id === "string") {
        const fn = await deps.registry.getFunction(op.opts.function_id);
        invokeTargets.set(op.opts.function_id, fn && !fn.archived ? fn : undefined);
      } else if (op.op === OPCODES.waitForSignal) {
        const signal = typeof op.opts?.signal === "string" ? op.opts.signal : op.name;
        if (signal) signalHolders.set(signal, await deps.pauses.forSignal(signal));
      }
    }),
  );
  return { invokeTargets, signalHolders };
}
