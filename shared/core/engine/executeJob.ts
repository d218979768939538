import type { Clock, RegistryStore, RunStore, TimerService, WorkQueue } from "../../ports/index.js";
import { retryDelayMs } from "../../protocol/backoff.js";
import { HEADERS } from "../../protocol/constants.js";
import { interpretSdkResponse, type SdkOutcome } from "../../protocol/sdkResponse.js";
import { signRequest, verifyResponseSignature } from "../../protocol/signature.js";
import type { Job } from "../types.js";
import { decide } from "./decide.js";
import { dispatchJobs } from "./dispatch.js";
import { buildSdkRequest, stepUrl } from "./sdkRequest.js";

/** HTTP transport to the SDK (global fetch in production; injectable for unit tests). */
export type HttpCall = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<{ status: number; headers: Headers; text(): Promise<string> }>;

export interface ExecutorDeps {
  runs: RunStore;
  registry: RegistryStore;
  work: WorkQueue;
  timers: TimerService;
  clock: Clock;
  http: HttpCall;
  signingKeys: string[];
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
 * dedup ids make that harmless).
 */
export async function executeJob(
  deps: ExecutorDeps,
  job: Job,
  opts: { receiveCount: number; remainingMs: number },
): Promise<JobResult> {
  const log = deps.log ?? (() => {});
  const now = () => deps.clock.now();
  const state = await deps.runs.getRunState(job.runId);
  if (!state) {
    log("job for unknown run dropped", { runId: job.runId });
    return "dropped";
  }
  const { run, steps } = state;
  if (run.status !== "Running") return "stale";
  if (run.version !== job.version) {
    if (run.version === job.version + 1 && opts.receiveCount > 1 && run.next.length > 0) {
      await dispatchJobs({ work: deps.work, timers: deps.timers, now }, run.next);
      return "redispatched";
    }
    return "stale";
  }

  const fn = await deps.registry.getFunction(run.fnSlug);
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
      job,
      requestVersion: run.requestVersion,
      timeoutMs: Math.min(MAX_REQUEST_MS, opts.remainingMs),
    });
  }

  const random = deps.random ?? Math.random;
  const decision = decide({
    job,
    outcome,
    maxAttempts,
    stack: run.stack,
    now: now(),
    retryDelayMs: (failed) => retryDelayMs(failed, random, deps.retryIntervalSeconds),
  });
  const committed = await deps.runs.commitTransition(run.runId, run.version, decision.transition);
  if (!committed) {
    log("transition lost to a concurrent one", { runId: run.runId, version: run.version });
    return "conflict";
  }
  log(decision.summary, { runId: run.runId, fn: run.fnSlug, stepId: job.stepId, attempt: job.attempt });
  await dispatchJobs({ work: deps.work, timers: deps.timers, now }, decision.transition.set.next ?? []);
  return "applied";
}

async function callSdk(
  deps: ExecutorDeps,
  req: { url: string; body: unknown; job: Job; requestVersion: number; timeoutMs: number },
): Promise<SdkOutcome> {
  const { url, body, job, timeoutMs } = req;
  const [key] = deps.signingKeys;
  const nowSeconds = Math.floor(deps.clock.now() / 1000);
  const signed = key ? signRequest(body, key, nowSeconds) : { body: JSON.stringify(body), signature: "" };
  const headers: Record<string, string> = {
    "content-type": "application/json",
    [HEADERS.runId]: job.runId,
    [HEADERS.stepId]: job.stepId,
    [HEADERS.reqVersion]: String(req.requestVersion),
  };
  if (signed.signature) headers[HEADERS.signature] = signed.signature;
  try {
    const res = await deps.http(url, {
      method: "POST",
      headers,
      body: signed.body,
      signal: AbortSignal.timeout(Math.max(1000, timeoutMs)),
    });
    const text = await res.text();
    const responseSignature = res.headers.get(HEADERS.signature);
    if (key && responseSignature && !verifyResponseSignature(text, responseSignature, deps.signingKeys)) {
      return { kind: "transport", message: "SDK response signature is invalid" };
    }
    return interpretSdkResponse({ status: res.status, headers: res.headers, body: text }, deps.clock.now());
  } catch (err) {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return { kind: "transport", message: `request to the SDK failed: ${message}` };
  }
}
