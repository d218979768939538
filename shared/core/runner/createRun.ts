/**
 * Creating one run: every path that starts runs (events, debounce and batch flushes, crons,
 * reruns) comes here, so flow control applies to all of them alike. The run's flow is evaluated
 * once from its first event; singleton and throttle decide whether and when it starts.
 */

import type { FunctionRecord, InngestEvent, RunRecord } from "../../domain/schemas.js";
import type { CancellationRecord } from "../../ports/index.js";
import { runFlow } from "../flow/runFlow.js";
import { startGate } from "../flow/startGate.js";
import { cancelledBy, coveringCancellation } from "../runs/bulkCancel.js";
import { cancelRun } from "../runs/cancel.js";
import { skippedInvokeEvents } from "../runs/finish.js";
import { runSetup } from "../runs/runSetup.js";
import { dispatchCommitted } from "../scheduling/dispatch.js";
import { startJob } from "../scheduling/partition.js";
import type { CreateRunDeps } from "./types.js";

export type { CreateRunDeps } from "./types.js";

export interface RunSpec {
  fn: FunctionRecord;
  runId: string;
  /** Internal id of the (first) triggering event. */
  eventId: string;
  /** The triggering events; the first is `event`, all are `events` (a batch). */
  events: InngestEvent[];
  /** At most one run per key while it lasts (event ids, batch and debounce cycles). */
  idempotency?: { key: string; expiresAt: number };
  /** Not before this time (an event with a future `ts`). */
  startAt?: number;
  /** Recorded as Skipped: it starts nothing (rate limit). */
  skipped?: { reason: string; holder?: string };
  /**
   * The stored bulk cancellations (the runner reads them once per batch): a run inside one's
   * window is cancelled at once. Without it, none is checked.
   */
  cancellations?: () => Promise<CancellationRecord[]>;
}

export type CreatedRun =
  | { result: "created" | "exists"; run: RunRecord; status: "started" | "skipped" | "cancelled" }
  | { result: "duplicate" };

/**
 * Creates the run (idempotent: a second call with the same run id finds it and sends its start
 * again; deterministic ids make the copy harmless) and dispatches its start job and timers.
 */
export async function createRun(deps: CreateRunDeps, spec: RunSpec): Promise<CreatedRun> {
  const { fn } = spec;
  const now = deps.clock.now();
  const first = spec.events[0];
  if (!first) throw new Error(`run ${spec.runId} has no event`);
  const base: RunRecord = {
    runId: spec.runId,
    fnSlug: fn.slug,
    appId: fn.appId,
    status: "Running",
    eventId: spec.eventId,
    events: spec.events,
    startedAt: now,
    updatedAt: now,
    version: 0,
    requestVersion: -1,
    stack: [],
    next: [],
  };
  const flow = runFlow(fn, first, now);
  if (flow) base.flow = flow;
  const gate = spec.skipped ? { skip: spec.skipped } : await startGate(deps, fn, base);
  if (gate.skip) {
    const skipped: RunRecord = { ...base, status: "Skipped", endedAt: now, skipped: gate.skip };
    // A skip takes no idempotency key: it must never keep a later copy of the event from running
    // (two copies of one event id may race through different stream shards).
    const result = await deps.runs.createRun(skipped);
    const stored = result === "exists" ? ((await deps.runs.getRun(skipped.runId)) ?? skipped) : skipped;
    await answerInvoker(deps, stored);
    return { result, run: stored, status: stored.status === "Skipped" ? "skipped" : "started" };
  }
  const startAt = Math.max(spec.startAt ?? 0, gate.startAt ?? 0);
  const start = startJob(base, startAt > now ? startAt : undefined);
  const { run, pauses, outbox } = runSetup(fn, { ...base, next: [start] });
  const result = await deps.runs.createRun(run, spec.idempotency, pauses);
  if (result === "duplicate") {
    // The run was never created: the singleton lock it took would otherwise block the key.
    if (gate.singleton) await deps.gates.releaseLock(gate.singleton, run.runId);
    return { result };
  }
  // A redelivered event finds its run: what it stored decides (its start may have been delayed).
  const stored = result === "exists" ? ((await deps.runs.getRun(run.runId)) ?? run) : run;
  // A skip the first delivery stored: its invoker's answer may not have gone out.
  if (stored.status === "Skipped") {
    await answerInvoker(deps, stored);
    return { result, run: stored, status: "skipped" };
  }
  // A redelivered event's run was created earlier: its own start time decides.
  const cancellation = spec.cancellations && coveringCancellation(await spec.cancellations(), stored);
  if (cancellation) {
    await cancelRun(deps, run.runId, cancelledBy(cancellation));
    return { result, run: stored, status: "cancelled" };
  }
  if (stored.status !== "Running") return { result, run: stored, status: "started" };
  await dispatchCommitted(deps, { next: stored.next.filter((j) => j.job.version === 0), outbox });
  return { result, run: stored, status: "started" };
}

/** A Skipped run that an invoke started answers its caller (sent again on every delivery). */
async function answerInvoker(deps: CreateRunDeps, run: RunRecord): Promise<void> {
  if (run.status !== "Skipped" || !run.skipped) return;
  const answer = skippedInvokeEvents(run, run.skipped.reason, run.endedAt ?? run.startedAt);
  if (answer.length) await deps.stream.put(answer);
}
