/**
 * `GET /v1/runs/{runId}/jobs`. Inngest answers with the run's items still in its queue (`at`,
 * `kind`, `attempt`); Tideline keeps no queue to inspect, so it answers with what it does keep: the
 * run's history (each step result, each failed attempt and each step still waiting on an event,
 * an invoked function or a signal) followed by the jobs the run is waiting on, oldest first,
 * under the same `at` / `kind` / `attempt` names.
 */
import type { Json } from "../../../domain/json.js";
import type { AttemptRecord, RunRecord, ScheduledJob, StepRecord } from "../../../domain/schemas.js";
import type { RunHistory } from "../../../ports/index.js";
import { OPCODES } from "../../../protocol/constants.js";
import { stepOutcome } from "../../observability/stepOutcome.js";
import { isStepWait, type StepWait, WAIT_OP } from "../../pauses/stepWaits.js";
import { DISCOVERY_STEP } from "../../scheduling/partition.js";
import type { RunJob } from "./schemas.js";
import { errorFromJson, errorView, iso } from "./views.js";

/** The job that runs the function body (discovery and function-level errors) has this step id. */

const kindOf = (stepId: string): RunJob["kind"] => (stepId === DISCOVERY_STEP ? "function" : "step");

function stepJob(run: RunRecord, step: StepRecord, now: number): RunJob {
  const started = step.startedAt ?? step.at;
  const base = {
    step_id: step.stepId,
    name: step.name ?? null,
    kind: kindOf(step.stepId),
    op: step.op,
    attempt: step.attempts,
    at: iso(started),
    started_at: iso(started),
  };
  if (step.op === OPCODES.sleep) {
    // A sleep's result is written when it starts; `at` is its wake-up time.
    const waking = run.status === "Running" && step.at > now;
    return {
      ...base,
      status: waking ? "Waiting" : "Completed",
      ended_at: waking ? null : iso(step.at),
      output: null,
      error: null,
    };
  }
  const outcome = stepOutcome(step);
  if ("error" in outcome) {
    return {
      ...base,
      status: "Failed",
      ended_at: iso(step.at),
      output: null,
      error: errorFromJson(outcome.error),
    };
  }
  const output: Json = outcome.data;
  return { ...base, status: "Completed", ended_at: iso(step.at), output, error: null };
}

/** A step waiting on an event, an invoked function or a signal (it has no result until then). */
function waitJob(pause: StepWait): RunJob {
  return {
    step_id: pause.stepId,
    name: pause.name ?? null,
    kind: "step",
    op: WAIT_OP[pause.kind],
    attempt: 0,
    status: "Waiting",
    at: iso(pause.createdAt),
    started_at: iso(pause.createdAt),
    ended_at: null,
    output: null,
    error: null,
  };
}

function attemptJob(attempt: AttemptRecord): RunJob {
  return {
    step_id: attempt.stepId,
    name: attempt.name ?? null,
    kind: kindOf(attempt.stepId),
    op: attempt.stepId === DISCOVERY_STEP ? null : OPCODES.stepError,
    attempt: attempt.attempt,
    status: "Failed",
    at: iso(attempt.startedAt),
    started_at: iso(attempt.startedAt),
    ended_at: iso(attempt.endedAt),
    output: null,
    error: errorView(attempt.error),
  };
}

function queuedJob(run: RunRecord, scheduled: ScheduledJob, names: Map<string, string>): RunJob {
  const { job } = scheduled;
  return {
    step_id: job.stepId,
    name: names.get(job.stepId) ?? null,
    kind: kindOf(job.stepId),
    op: null,
    attempt: job.attempt,
    status: "Queued",
    at: iso(scheduled.dueAt ?? run.updatedAt),
    started_at: null,
    ended_at: null,
    output: null,
    error: null,
  };
}

/** The run's history oldest first, then the jobs it waits on by due time. */
export function runJobs(history: RunHistory, now: number): RunJob[] {
  const { run } = history;
  const names = new Map<string, string>();
  for (const a of history.attempts) if (a.name) names.set(a.stepId, a.name);
  // Pauses of cancelOn are not steps; a run that ended waits on nothing.
  const waits = run.status === "Running" ? (run.pauses ?? []).filter(isStepWait).map(waitJob) : [];
  const done = [
    ...history.steps.map((s) => stepJob(run, s, now)),
    ...history.attempts.map(attemptJob),
    ...waits,
  ].sort((a, b) => a.at.localeCompare(b.at) || a.attempt - b.attempt);
  const queued = run.status === "Running" ? run.next.map((j) => queuedJob(run, j, names)) : [];
  queued.sort((a, b) => a.at.localeCompare(b.at));
  return [...done, ...queued];
}
