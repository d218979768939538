import { type FunctionRecord, type Job, jobId, type Pause } from "../../domain/schemas.js";
import type { PauseStore, RegistryStore, RunStore } from "../../ports/index.js";
import { retryDelayMs } from "../../protocol/backoff.js";
import { OPCODES } from "../../protocol/constants.js";
import type { SdkOutcome } from "../../protocol/sdkResponse.js";
import { traceParent, traceState } from "../../protocol/traceContext.js";
import { runTimeouts } from "../runs/runSetup.js";
import { type DispatchDeps, dispatchCommitted, hasDispatch } from "../scheduling/dispatch.js";
import { callSdk, type SdkCallDeps } from "./callSdk.js";
import { decide } from "./decide.js";
import { buildSdkRequest, stepUrl } from "./sdkRequest.js";

export type { HttpCall } from "./callSdk.js";

export interface ExecutorDeps extends DispatchDeps, SdkCallDeps {
  runs: RunStore;
  pauses: PauseStore;
  registry: RegistryStore;
  retryIntervalSeconds?: number;
  random?: () => number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export type JobResult = "applied" | "stale" | "redispatched" | "dropped" | "conflict";

/** Longest single SDK request (Go server: 2 h); bounded further by the Lambda's remaining time. */
const MAX_REQUEST_MS = 2 * 60 * 60 * 1000;

/**
 * Runs one job: loads the run, calls the SDK once, and commits the resulting transition
 * conditionally on the run's version, then dispatches the follow-up jobs.
 *
 * Redelivery safety: a job whose version is behind the run's is stale and skipped. If it is a
 * redelivery (receiveCount > 1) of exactly the latest transition, the executor may have crashed
 * after committing but before sending the follow-ups, so they are sent again (deterministic
 * dedup ids make that harmless). A commit that fails for any reason but a lost race throws, so
 * the job is delivered again instead of being acknowledged with nothing committed.
 */
export async function executeJob(
  deps: ExecutorDeps,
  job: Job,
  opts: { receiveCount: number; remainingMs: number },
): Promise<JobResult> {
  const log = deps.log ?? (() => {});
  const state = await deps.runs.getRunState(job.runId);
  if (!state) {
    log("job for unknown run dropped", { runId: job.runId });
    return "dropped";
  }
  const { run, steps } = state;
  // A redelivery of exactly the latest transition's job: the executor may have crashed after
  // committing and before sending what followed (jobs, events, timers), so they are sent again.
  if (run.version === job.version + 1 && opts.receiveCount > 1 && hasDispatch(run)) {
    await dispatchCommitted(deps, run);
    return "redispatched";
  }
  if (run.status !== "Running" || run.version !== job.version) return "stale";

  const fn = await deps.registry.getFunction(run.fnSlug);
  const startedAt = deps.clock.now();
  let outcome: SdkOutcome;
  let maxAttempts = 1;
  if (!fn) {
    outcome = {
      kind: "error",
      retriable: false,
      error: { name: "Error", message: `function ${run.fnSlug} is not registered` },
    };
  } else {
    maxAttempts = fn.retries + 1;
    outcome = await callSdk(deps, {
      url: stepUrl(fn.url, job.stepId),
      body: buildSdkRequest(run, steps, job, fn),
      runId: job.runId,
      stepId: job.stepId,
      requestVersion: run.requestVersion,
      timeoutMs: Math.min(MAX_REQUEST_MS, opts.remainingMs),
      trace: { parent: traceParent(run.runId, jobId(job)), state: traceState(run.appId, fn.internalId) },
    });
  }

  const random = deps.random ?? Math.random;
  const lookups = await opLookups(deps, outcome);
  const decision = decide({
    job,
    outcome,
    maxAttempts,
    run,
    ...lookups,
    now: deps.clock.now(),
    startedAt,
    retryDelayMs: (failed) => retryDelayMs(failed, random, deps.retryIntervalSeconds),
  });
  // The trace's "started": the first request's start, set once in the same commit. It also arms
  // timeouts.finish (SEMANTICS 5.9: measured from the first start).
  if (run.firstAttemptAt === undefined) {
    const set = decision.transition.set;
    set.firstAttemptAt = startedAt;
    const finishMs = fn ? runTimeouts(fn).finishMs : undefined;
    if (finishMs !== undefined && (set.status === undefined || set.status === "Running")) {
      const timer = {
        item: { kind: "runTimeout" as const, runId: run.runId, which: "finish" as const },
        dueAt: startedAt + finishMs,
      };
      set.outbox = { ...set.outbox, timers: [...(set.outbox?.timers ?? []), timer] };
    }
  }
  const committed = await deps.runs.commitTransition(run.runId, run.version, decision.transition);
  if (!committed) {
    log("transition lost to a concurrent one", { runId: run.runId, version: run.version });
    return "conflict";
  }
  log(decision.summary, { runId: run.runId, fn: run.fnSlug, stepId: job.stepId, attempt: job.attempt });
  await dispatchCommitted(deps, decision.transition.set);
  return "applied";
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
