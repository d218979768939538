/** Part b of the flow-control bench: fairness of a keyed concurrency limit while another key floods it. */
import { sweep, waitFor, waitForFinalRun } from "../../helpers/index.js";
import { percentile, stats } from "../stats.js";
import { countRuns, eventsWithoutRun, functionUuid } from "./api.js";
import type { Bench } from "./setup.js";
import {
  B_RUNS,
  BUDGET,
  chunks,
  clock,
  FAIR_LIMIT,
  FAIR_STEP_MS,
  FLOOD,
  fmt,
  INGEST_STALL_MS,
  lostRuns,
  SEND_CHUNK,
  sleep,
  sorted,
  summary,
} from "./shared.js";

interface Phases {
  status: string;
  /** send → the run created (its `run_started_at`: the runner's ingestion). */
  createdMs?: number;
  /** send → the first step body started (in the app). */
  firstStepMs?: number;
  /** send → Completed (its `ended_at`). */
  completedMs?: number;
}

/**
 * Waits until the function body returned (seen in the app), then reads the run (REST): send →
 * created and send → Completed as the server recorded them, with no tight polling of the API.
 */
async function completedAfter(
  b: Bench,
  sent: { eventId: string; tag: string; sentAt: number },
  deadline: number,
): Promise<Phases> {
  const returned = await waitFor(() => b.returned.has(sent.tag), {
    timeoutMs: Math.max(1, deadline - Date.now()),
    intervalMs: 5,
  }).catch(() => false);
  const first = b.firstStart.get(sent.tag);
  const out: Phases = { status: "not finished" };
  if (first !== undefined) out.firstStepMs = first - sent.sentAt;
  if (!returned) return out;
  const run = await waitForFinalRun(b.runtime.url, sent.eventId, { intervalMs: 20, timeoutMs: 15_000 }).catch(
    () => undefined,
  );
  out.status = run?.status ?? "not final";
  const created = Date.parse(run?.run_started_at ?? "");
  const ended = Date.parse(run?.ended_at ?? "");
  if (!Number.isNaN(created)) out.createdMs = created - sent.sentAt;
  if (!Number.isNaN(ended)) out.completedMs = ended - sent.sentAt;
  return out;
}

interface Latencies {
  completed: number[];
  /** send → run created (the runner's ingestion). */
  created: number[];
  /** run created → first step body (admission, the work queue, the executor, the SDK request). */
  queued: number[];
  /** first step body → Completed (the steps, checkpoints and the final commit). */
  executed: number[];
  notFinished: number;
}

const noLatencies = (): Latencies => ({
  completed: [],
  created: [],
  queued: [],
  executed: [],
  notFinished: 0,
});

function addPhases(l: Latencies, r: Phases): void {
  if (r.completedMs === undefined || r.status !== "Completed") {
    l.notFinished++;
    return;
  }
  l.completed.push(r.completedMs);
  if (r.createdMs !== undefined) l.created.push(r.createdMs);
  if (r.createdMs !== undefined && r.firstStepMs !== undefined) l.queued.push(r.firstStepMs - r.createdMs);
  if (r.firstStepMs !== undefined) l.executed.push(r.completedMs - r.firstStepMs);
}

function printLatencies(l: Latencies, budgetMs: number): void {
  console.log(
    `       send → Completed          ${stats(l.completed)}${l.notFinished ? `   ${l.notFinished} not Completed within ${budgetMs / 1000} s` : ""}`,
  );
  console.log(`         send → run created      ${stats(l.created)}`);
  console.log(`         created → first step    ${stats(l.queued)}`);
  console.log(`         first step → Completed  ${stats(l.executed)}`);
}

/** B runs one at a time (each awaited before the next is sent), until `n` or the deadline. */
async function tenantBOneByOne(b: Bench, n: number, budgetMs: number): Promise<Latencies> {
  const out = noLatencies();
  const deadline = Date.now() + budgetMs;
  for (let i = 0; i < n && Date.now() < deadline; i++) {
    const sent = await b.send("fair", { tenant: "B", steps: 2, tag: b.nextTag("fb") });
    addPhases(out, await completedAfter(b, sent, deadline));
  }
  return out;
}

const p = (xs: number[], q: number) => percentile(sorted(xs), q);

/** Mean number of `intervals` running at once over [from, to]. */
function meanRunning(intervals: Array<[number, number]>, from: number, to: number): number {
  if (to <= from) return Number.NaN;
  const busy = intervals.reduce((n, [a, z]) => n + Math.max(0, Math.min(z, to) - Math.max(a, from)), 0);
  return busy / (to - from);
}

export async function fairness(b: Bench): Promise<void> {
  console.log(
    `\nb. Fairness: concurrency {limit: ${FAIR_LIMIT}, key: event.data.tenant}, runs of 1–2 steps of ~${FAIR_STEP_MS} ms` +
      `\n   (tenant B: 2 steps; tenant A: 1 and 2 alternately). send → Completed is the run's ended_at (REST) − the send.`,
  );
  const uuid = await functionUuid(b, b.appId, "fair");

  const alone = await tenantBOneByOne(b, B_RUNS, BUDGET.bAlone);
  console.log(`   (1) B alone, ${B_RUNS} runs one at a time:`);
  printLatencies(alone, BUDGET.bAlone);

  // The flood: FLOOD runs of tenant A in sends of ≤ 500 events, one right after another.
  const floodStart = clock();
  const from = new Date(floodStart).toISOString();
  const floodTags = Array.from({ length: FLOOD }, (_, i) => `fa-${i}`);
  const floodIds = new Map<string, string>();
  await Promise.all(
    chunks(floodTags, SEND_CHUNK).map(async (tags) => {
      const { ids } = await b.sendEvents(
        b.inngest,
        tags.map((tag, i) => ({ name: b.ev("fair"), data: { tag, tenant: "A", steps: 1 + (i % 2) } })),
      );
      for (const [i, tag] of tags.entries()) floodIds.set(tag, ids[i] ?? "");
    }),
  );
  const floodSent = clock();
  const aDone = () => floodTags.filter((t) => b.returned.has(t)).length;
  const since = (t: number) => `${fmt((t - floodStart) / 1000, 1)} s`;
  console.log(
    `   flood: ${FLOOD} runs of tenant A sent in ${Math.ceil(FLOOD / SEND_CHUNK)} sends of ≤ ${SEND_CHUNK}, one after another (took ${fmt((floodSent - floodStart) / 1000, 2)} s)`,
  );

  // (3) B sent right after the flood's sends, all at once: behind the flood in the ingestion queue.
  const behind = noLatencies();
  {
    const tags = Array.from({ length: B_RUNS }, () => b.nextTag("fb3"));
    const sentAt = clock();
    const { ids } = await b.sendEvents(
      b.inngest,
      tags.map((tag) => ({ name: b.ev("fair"), data: { tag, tenant: "B", steps: 2 } })),
    );
    const deadline = Date.now() + BUDGET.bBehindIngestion;
    const results = await Promise.all(
      tags.map((tag, i) => completedAfter(b, { tag, eventId: ids[i] ?? "", sentAt }, deadline)),
    );
    for (const r of results) addPhases(behind, r);
  }
  const behindDone = clock();
  console.log(
    `   (3) B right after the flood's sends, ${B_RUNS} runs in one send (INCLUDES THE INGESTION QUEUE behind the ${FLOOD} A events;` +
      `\n       B's own limit of ${FAIR_LIMIT} applies too), all done ${since(behindDone)} after the flood's first send, A runs completed by then: ${aDone()}`,
  );
  printLatencies(behind, BUDGET.bBehindIngestion);

  // Every run of the flood (and the B runs above) exists: the backlog is all in DynamoDB now. The
  // wait ends early when the count stops moving for INGEST_STALL_MS (runs that never appear).
  const total = FLOOD + B_RUNS;
  const ingestDeadline = Date.now() + BUDGET.ingestion;
  let created = 0;
  let movedAt = Date.now();
  while (Date.now() < ingestDeadline) {
    const now = await countRuns(b, uuid, from).catch(() => created);
    if (now !== created) movedAt = Date.now();
    created = now;
    if (created >= total || Date.now() - movedAt > INGEST_STALL_MS) break;
    await sleep(500);
  }
  const ingested = clock();
  const aAtStart = aDone();
  console.log(
    created >= total
      ? `   ingestion: all ${total} runs created ${since(ingested)} after the flood's first send; A runs completed by then: ${aAtStart}`
      : `   ingestion: ${created} of ${total} runs created after ${since(ingested)} (${Date.now() - movedAt > INGEST_STALL_MS ? `NO NEW RUN FOR ${INGEST_STALL_MS / 1000} S` : `budget of ${BUDGET.ingestion / 1000} s spent`}); A runs completed by then: ${aAtStart}; going on`,
  );

  // (2) B while A's backlog drains.
  const during = await tenantBOneByOne(b, B_RUNS, BUDGET.bDuringDrain);
  const duringDone = clock();
  const aAtEnd = aDone();
  console.log(
    `   (2) B during A's drain, ${B_RUNS} runs one at a time (A completed: ${aAtStart} at the start, ${aAtEnd} of ${FLOOD} at the end, ${since(duringDone)} after the flood's first send):`,
  );
  printLatencies(during, BUDGET.bDuringDrain);
  const r99 = p(during.completed, 99) / p(alone.completed, 99);
  const r50 = p(during.completed, 50) / p(alone.completed, 50);
  const drained = aAtStart >= FLOOD;
  console.log(
    `   ratio flood/alone: p99 ${fmt(r99, 2)}, p50 ${fmt(r50, 2)} (goal ≤ 1.5)${drained ? "   (A had drained before (2) began: not a flood measurement)" : ""}`,
  );
  const phase = (label: string, k: "created" | "queued" | "executed") =>
    `${label} ${fmt(p(alone[k], 50), 0)} → ${fmt(p(during[k], 50), 0)} ms`;
  console.log(
    `   where B's time went, p50 alone → during the drain: ${phase("send → created", "created")}, ${phase("created → first step", "queued")}, ${phase("first step → Completed", "executed")}`,
  );
  const aRate = aAtEnd / ((duringDone - floodStart) / 1000);
  console.log(
    `   A: ${aAtEnd} of ${FLOOD} runs completed ${since(duringDone)} after the flood's first send (${fmt(aRate)} runs/s on a limit of ${FAIR_LIMIT}); the rest is left to the bench's stop`,
  );
  // How much of its 5 slots the hot key used: its runs' bodies (first step start → return; one
  // SDK request each with checkpointing, so inside the request's lease).
  const aRuns = floodTags.flatMap((t): Array<[number, number]> => {
    const a = b.firstStart.get(t);
    const z = b.returned.get(t);
    return a !== undefined && z !== undefined ? [[a, z]] : [];
  });
  const aFirst = Math.min(...aRuns.map(([a]) => a));
  const aPerRun = sorted(aRuns.map(([a, z]) => z - a));
  console.log(
    `   A's run bodies (first step start → return) at once: peak ${sweep(aRuns).peak} (limit ${FAIR_LIMIT}), mean ${fmt(meanRunning(aRuns, aFirst, duringDone), 2)} from A's first start to the end of (2);` +
      ` one body takes p50 ${fmt(percentile(aPerRun, 50), 0)} ms, so ${FAIR_LIMIT} busy slots would complete ≈ ${fmt((FAIR_LIMIT * 1000) / percentile(aPerRun, 50), 0)} runs/s`,
  );
  if (created < total) {
    const lost = await eventsWithoutRun(b, `${b.appId}-fair`, from, floodIds);
    console.log(`   A's events without a run (REST runs listing by event id): ${lost.count}`);
    for (const line of lost.lines) console.log(`     ${line}`);
    lostRuns.push(`b: ${lost.count} of ${FLOOD} A events have no run`);
  }
  summary.push(
    `b. fairness: B alone p50 ${fmt(p(alone.completed, 50), 0)} / p99 ${fmt(p(alone.completed, 99), 0)} ms; during A's flood p50 ${fmt(p(during.completed, 50), 0)} / p99 ${fmt(p(during.completed, 99), 0)} ms ` +
      `(ratio p50 ${fmt(r50, 2)}, p99 ${fmt(r99, 2)}; goal ≤ 1.5 ${drained ? "not measured: A had drained" : r50 <= 1.5 && r99 <= 1.5 ? "met" : "NOT MET"}); B behind the ingestion queue p50 ${fmt(p(behind.completed, 50), 0)} / p99 ${fmt(p(behind.completed, 99), 0)} ms; ` +
      `A ${aAtEnd}/${FLOOD} completed`,
  );
}
