import { type Job, jobId } from "../../domain/schemas.js";
import type { RegistryStore, RunStore } from "../../ports/index.js";
import { retryDelayMs } from "../../protocol/backoff.js";
import type { SdkOutcome } from "../../protocol/sdkResponse.js";
import { traceParent, traceState } from "../../protocol/traceContext.js";
import { type DispatchDeps, dispatchJobs } from "../scheduling/dispatch.js";
import { callSdk, type SdkCallDeps } from "./callSdk.js";
import { decide } from "./decide.js";
import { buildSdkRequest, stepUrl } from "./sdkRequest.js";

export type { HttpCall } from "./callSdk.js";

export interface ExecutorDeps extends DispatchDeps, SdkCallDeps {
  runs: RunStore;
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
  if (run.status !== "Running") return "stale";
  if (run.version !== job.version) {
    if (run.version === job.version + 1 && opts.receiveCount > 1 && run.next.length > 0) {
      await dispatchJobs(deps, run.next);
      return "redispatched";
    }
    return "stale";
  }

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
  const decision = decide({
    job,
    outcome,
    maxAttempts,
    stack: run.stack,
    now: deps.clock.now(),
    startedAt,
    retryDelayMs: (failed) => retryDelayMs(failed, random, deps.retryIntervalSeconds),
  });
  // The trace's "started": the first request's start, set once in the same commit.
  if (run.firstAttemptAt === undefined) decision.transition.set.firstAttemptAt = startedAt;
  const committed = await deps.runs.commitTransition(run.runId, run.version, decision.transition);
  if (!committed) {
    log("transition lost to a concurrent one", { runId: run.runId, version: run.version });
    return "conflict";
  }
  log(decision.summary, { runId: run.runId, fn: run.fnSlug, stepId: job.stepId, attempt: job.attempt });
  await dispatchJobs(deps, decision.transition.set.next ?? []);
  return "applied";
}
