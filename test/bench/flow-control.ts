/**
 * Benchmark: flow control on `tideline dev` (real clock, emulated AWS, the runtime and two
 * official-SDK apps in this one process), issue 13:
 *   a. peak concurrency vs limit: PEAK_RUNS (default 1,000) runs of a function with
 *      `concurrency: [{limit: 10, key: "event.data.tenant"}, {limit: 50}]` over 20 random tenants,
 *      each with 2 `step.run`s of 20–50 ms; the app records every step body's start and end, and the
 *      peak number of bodies running at once per tenant and overall is compared with the limits.
 *      Those runs finish faster than they arrive here, so the limits never fill: a second, smaller
 *      variant (SAT_RUNS, default 200, steps of 0.5–1 s, one tenant with every 4th run) fills them;
 *   b. fairness: a function with `concurrency: {limit: 5, key: "event.data.tenant"}`; send → Completed
 *      of tenant B's runs (sent one at a time) alone, then while FLOOD (default 2,000) runs of
 *      tenant A drain, and, separately, of B runs sent right after the flood's sends (so behind the
 *      flood in the ingestion queue); each split into send → run created (ingestion), created →
 *      first step (admission and queues) and first step → Completed (execution);
 *   c. throttle start-rate error: 40 runs sent at once to `throttle: {limit: 5, period: "2s"}` with
 *      burst 0 and 2; actual first-step starts against the GCRA schedule (limit + burst at once, then
 *      one every period/limit), against the slots the GCRA gave at the runs' creation times, and the
 *      most starts in any window of one period;
 *   d. the AWS calls of one 3-step run with no flow control, with a keyed concurrency limit and with a
 *      throttle (and of a run that had to wait: parked on a full key, delayed by the throttle).
 *
 *   npm run bench:flow
 *   PEAK_RUNS=500 FLOOD=1000 PARTS=a,b npm run bench:flow     (also SAT_RUNS, B_RUNS, THROTTLE_RUNS)
 *
 * The parts run in the order d, c, a, b: d needs a quiet runtime (it counts the handlers' calls
 * between quiet periods, as bench:fast's part d), c measures timing, and b's flood is left
 * behind when the bench stops. Each part has a time budget and says how far it got. The throttled
 * functions live in an app of their own: if that app does not sync, or its runs are not
 * delayed, c and d's throttle lines say "throttle: not available". Events are sent one request at
 * a time (see `sendEvents`: moto loses records of concurrent PutRecords); runs that never appear
 * are listed with what the API knows of their events. TIDELINE_LOG_LEVEL=WARN shows the
 * handlers' warnings, BENCH_DEBUG=1 the throttled runs' creation, slot and start times.
 */
import { availableParallelism, loadavg } from "node:os";
import { Inngest } from "inngest";
import { invocationStats } from "../../infra/local/handlers.js";
import { silentLogger } from "../../infra/local/log.js";
import { startLocalRuntime } from "../../infra/local/runtime.js";
import { awsCalls } from "../../shared/adapters/aws/callCounter.js";
import { serveApp } from "../e2e/serveApp.js";
import { gqlAt, type RestRun, randomSuffix, waitFor, waitForFinalRun } from "../helpers/index.js";
import { percentile } from "./stats.js";

/** Which parts run (always in the order d, c, a, b, whatever the order given). */
const PARTS = new Set((process.env.PARTS ?? "a,b,c,d").split(",").map((x) => x.trim()));
const PEAK_RUNS = Number(process.env.PEAK_RUNS ?? 1000);
const PEAK_TENANTS = 20;
const PEAK_KEY_LIMIT = 10;
const PEAK_FN_LIMIT = 50;
/** Part a stops waiting when no step body started or ended for this long (ms). */
const PEAK_STALL_MS = 25_000;
/** Part b's wait for the flood's runs ends when their count has not moved for this long (ms). */
const INGEST_STALL_MS = 5_000;
/** Runs of part a's saturating variant. */
const SAT_RUNS = Number(process.env.SAT_RUNS ?? 200);
const FAIR_LIMIT = 5;
const FLOOD = Number(process.env.FLOOD ?? 2000);
const B_RUNS = Number(process.env.B_RUNS ?? 20);
/** Steps of the fairness function last this long (ms). */
const FAIR_STEP_MS = 5;
const THROTTLE_RUNS = Number(process.env.THROTTLE_RUNS ?? 40);
const THROTTLE = { limit: 5, periodMs: 2000 } as const;
const THROTTLE_BURSTS = [0, 2] as const;
/** Single runs counted per variant in part d (the median is shown). */
const CALL_RUNS = 3;
/** Events per `inngest.send` (the Event API's PutRecords takes at most 500 records). */
const SEND_CHUNK = 500;

/** Time budgets (ms): a part that exceeds its budget reports what it measured so far. */
const BUDGET = {
  peak: 130_000,
  saturate: 60_000,
  bAlone: 20_000,
  bBehindIngestion: 60_000,
  ingestion: 90_000,
  bDuringDrain: 40_000,
  throttle: 40_000,
  callsRun: 30_000,
};

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** Sub-millisecond wall-clock time (step bodies that end and start in the same ms stay ordered). */
const clock = () => performance.timeOrigin + performance.now();
const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

function stats(values: number[]): string {
  const s = sorted(values);
  if (s.length === 0) return "no samples";
  return `p50 ${fmt(percentile(s, 50))} ms   p99 ${fmt(percentile(s, 99))} ms   min ${fmt(s[0] ?? Number.NaN)}   max ${fmt(s.at(-1) ?? Number.NaN)}   (n=${s.length})`;
}

/** A small seeded PRNG (mulberry32): the same tenants and step durations on every run of the bench. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function chunks<T>(xs: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(xs.length / size) }, (_, i) => xs.slice(i * size, (i + 1) * size));
}

/** Intervals running at once: the peak, and how long each level lasted (ms). */
function sweep(intervals: Array<[number, number]>): { peak: number; msAt: Map<number, number> } {
  const edges: Array<[number, number]> = [];
  for (const [a, b] of intervals) edges.push([a, 1], [b, -1]);
  // Ends before starts at the same instant: touching intervals do not overlap.
  edges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let level = 0;
  let peak = 0;
  const msAt = new Map<number, number>();
  let last = edges[0]?.[0] ?? 0;
  for (const [t, d] of edges) {
    if (level > 0) {
      msAt.set(level, (msAt.get(level) ?? 0) + (t - last));
    }
    last = t;
    level += d;
    peak = Math.max(peak, level);
  }
  return { peak, msAt };
}

/* ------------------------------------------------------------------------------------------ */
/* The apps                                                                                   */
/* ------------------------------------------------------------------------------------------ */

interface StepSpan {
  tag: string;
  tenant: string;
  start: number;
  end: number;
}

async function setup() {
  const suffix = randomSuffix();
  const appId = `bench-flow-${suffix}`;
  const throttleAppId = `bench-flow-thr-${suffix}`;
  const ev = (name: string) => `bench-flow-${suffix}/${name}`;
  const runtime = await startLocalRuntime({
    port: 0,
    prefix: `bench-flow-${suffix}`,
    log: silentLogger,
    // The handlers' own logs would bury the figures; TIDELINE_LOG_LEVEL=WARN shows them.
    env: { TIDELINE_LOG_LEVEL: process.env.TIDELINE_LOG_LEVEL ?? "SILENT" },
  });
  const inngest = new Inngest({ id: appId, isDev: true, baseUrl: runtime.url });
  const throttled = new Inngest({ id: throttleAppId, isDev: true, baseUrl: runtime.url });

  /** Part a's step bodies; first step body start and function return, by event tag; bodies run, by tag and step. */
  const spans: StepSpan[] = [];
  const firstStart = new Map<string, number>();
  const returned = new Map<string, number>();
  const bodies = new Map<string, number>();
  const hit = (key: string) => bodies.set(key, (bodies.get(key) ?? 0) + 1);
  const started = (tag: string) => {
    if (!firstStart.has(tag)) firstStart.set(tag, clock());
  };

  const peak = inngest.createFunction(
    {
      id: "peak",
      concurrency: [{ limit: PEAK_KEY_LIMIT, key: "event.data.tenant" }, { limit: PEAK_FN_LIMIT }],
      triggers: [{ event: ev("peak") }],
    },
    async ({ step, event }) => {
      const tag = String(event.data.tag);
      const tenant = String(event.data.tenant);
      const ms = event.data.ms as number[];
      for (let i = 0; i < 2; i++) {
        await step.run(`s${i}`, async () => {
          const start = clock();
          if (i === 0) started(tag);
          hit(`${tag}:${i}`);
          await sleep(ms[i] ?? 20);
          spans.push({ tag, tenant, start, end: clock() });
          return i;
        });
      }
      returned.set(tag, clock());
      return "ok";
    },
  );

  const fair = inngest.createFunction(
    {
      id: "fair",
      concurrency: { limit: FAIR_LIMIT, key: "event.data.tenant" },
      triggers: [{ event: ev("fair") }],
    },
    async ({ step, event }) => {
      const tag = String(event.data.tag);
      const steps = Number(event.data.steps ?? 2);
      for (let i = 0; i < steps; i++) {
        await step.run(`s${i}`, async () => {
          if (i === 0) started(tag);
          await sleep(FAIR_STEP_MS);
          return i;
        });
      }
      returned.set(tag, clock());
      return "ok";
    },
  );

  /** Part d's 3-step functions; `holdMs` makes the first step hold its slot (a parked run). */
  type Run = (id: string, fn: () => Promise<number>) => Promise<unknown>;
  const threeSteps = async (run: Run, data: Record<string, unknown>) => {
    const tag = String(data.tag);
    for (let i = 0; i < 3; i++) {
      await run(`s${i}`, async () => {
        if (i === 0) started(tag);
        if (i === 0 && data.holdMs) await sleep(Number(data.holdMs));
        return i;
      });
    }
    returned.set(tag, clock());
    return "ok";
  };
  const callsPlain = inngest.createFunction(
    { id: "calls-plain", triggers: [{ event: ev("calls-plain") }] },
    ({ step, event }) => threeSteps((id, fn) => step.run(id, fn), event.data),
  );
  const callsConc = inngest.createFunction(
    {
      id: "calls-conc",
      concurrency: { limit: 1, key: "event.data.tenant" },
      triggers: [{ event: ev("calls-conc") }],
    },
    ({ step, event }) => threeSteps((id, fn) => step.run(id, fn), event.data),
  );

  const throttleFns = THROTTLE_BURSTS.map((burst) =>
    throttled.createFunction(
      {
        id: `throttle-b${burst}`,
        throttle: { limit: THROTTLE.limit, period: `${THROTTLE.periodMs / 1000}s`, burst },
        triggers: [{ event: ev(`throttle-b${burst}`) }],
      },
      async ({ step, event }) => {
        const tag = String(event.data.tag);
        await step.run("start", async () => {
          started(tag);
          return tag;
        });
        returned.set(tag, clock());
        return "ok";
      },
    ),
  );
  // Never delays at the pace of part d (100 starts a second), so its runs show the check's own cost.
  const callsThrottle = throttled.createFunction(
    {
      id: "calls-throttle",
      throttle: { limit: 100, period: "1s" },
      triggers: [{ event: ev("calls-throttle") }],
    },
    ({ step, event }) => threeSteps((id, fn) => step.run(id, fn), event.data),
  );
  // One start per 3 s: the second of two runs sent together is delayed.
  const callsThrottleDelay = throttled.createFunction(
    {
      id: "calls-throttle-delay",
      throttle: { limit: 1, period: "3s" },
      triggers: [{ event: ev("calls-throttle-delay") }],
    },
    ({ step, event }) => threeSteps((id, fn) => step.run(id, fn), event.data),
  );

  const app = await serveApp({ client: inngest, functions: [peak, fair, callsPlain, callsConc] });
  const put = await fetch(app.url, { method: "PUT" });
  if (put.status !== 200) throw new Error(`sync failed: ${put.status} ${await put.text()}`);
  const throttleApp = await serveApp({
    client: throttled,
    functions: [...throttleFns, callsThrottle, callsThrottleDelay],
  });
  const putThrottled = await fetch(throttleApp.url, { method: "PUT" });
  const throttleSync =
    putThrottled.status === 200
      ? undefined
      : `sync failed: ${putThrottled.status} ${await putThrottled.text()}`;

  /**
   * Every send of the bench, one at a time: moto 5.2.5's Kinesis numbers PutRecords' records
   * without a lock, so two requests at once can give two records one sequence number and the
   * stream keeps one of them (FailedRecordCount 0): the other event is lost before the runner.
   */
  let sending: Promise<unknown> = Promise.resolve();
  const sendEvents = (client: Inngest, events: Array<{ name: string; data: Record<string, unknown> }>) => {
    const result = sending.then(() => client.send(events));
    sending = result.catch(() => undefined);
    return result;
  };
  let seq = 0;
  const nextTag = (prefix: string) => `${prefix}-${seq++}`;
  /** Sends one event; its id, tag and the time just before the send. */
  const send = async (
    fnId: string,
    data: Record<string, unknown> = {},
    client: Inngest = inngest,
  ): Promise<{ eventId: string; tag: string; sentAt: number }> => {
    const tag = String(data.tag ?? nextTag(fnId));
    const sentAt = clock();
    const { ids } = await sendEvents(client, [{ name: ev(fnId), data: { ...data, tag } }]);
    return { eventId: ids[0] ?? "", tag, sentAt };
  };
  return {
    runtime,
    inngest,
    throttled,
    throttleSync,
    appId,
    throttleAppId,
    ev,
    send,
    sendEvents,
    nextTag,
    spans,
    firstStart,
    returned,
    bodies,
    stop: async () => {
      await app.stop();
      await throttleApp.stop();
      await runtime.stop({ graceMs: 5000 });
    },
  };
}

type Bench = Awaited<ReturnType<typeof setup>>;

/** The function's GraphQL id. */
async function functionUuid(b: Bench, appId: string, fnId: string): Promise<string> {
  const data = await gqlAt<{ functions: { id: string; slug: string }[] | null }>(
    b.runtime.url,
    "{ functions { id slug } }",
  );
  const fn = (data.functions ?? []).find((f) => f.slug === `${appId}-${fnId}`);
  if (!fn) throw new Error(`function ${fnId} not registered`);
  return fn.id;
}

/** Runs of the function queued since `from` (GraphQL `totalCount`), of the given statuses or all. */
async function countRuns(b: Bench, uuid: string, from: string, statuses?: string[]): Promise<number> {
  const status = statuses ? `, status: [${statuses.join(", ")}]` : "";
  const data = await gqlAt<{ runs: { totalCount: number } }>(
    b.runtime.url,
    `query ($from: Time!, $fn: [UUID!]) { runs(first: 1, orderBy: [{field: QUEUED_AT, direction: DESC}], filter: {from: $from, functionIDs: $fn${status}}) { totalCount } }`,
    { from, fn: [uuid] },
  );
  return data.runs.totalCount;
}

interface ListedRun {
  eventId: string;
  /** Creation (`run_started_at`) and end (`ended_at`, NaN while it runs), epoch ms. */
  startedAt: number;
  endedAt: number;
}

/** The function's runs queued since `from` (REST `GET /v1/runs`, paged). */
async function listRuns(b: Bench, slug: string, from: string, status?: string): Promise<ListedRun[]> {
  const out: ListedRun[] = [];
  let cursor: string | undefined;
  do {
    const q = new URLSearchParams({ function_id: slug, from, limit: "100", ...(status ? { status } : {}) });
    if (cursor) q.set("cursor", cursor);
    const res = await fetch(`${b.runtime.url}/v1/runs?${q}`);
    if (!res.ok) return out;
    const page = (await res.json()) as { data: RestRun[]; cursor?: string };
    for (const r of page.data) {
      out.push({
        eventId: r.event_id,
        startedAt: Date.parse(r.run_started_at ?? ""),
        endedAt: Date.parse(r.ended_at ?? ""),
      });
    }
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/** The latest `ended_at` of the function's Completed runs since `from`. */
async function lastEnded(b: Bench, fnId: string, from: string): Promise<number | undefined> {
  const ends = (await listRuns(b, `${b.appId}-${fnId}`, from, "Completed"))
    .map((r) => r.endedAt)
    .filter((t) => !Number.isNaN(t));
  return ends.length ? Math.max(...ends) : undefined;
}

/** Bulk-cancels the function's runs started until now (POST /v1/cancellations). */
async function cancelAll(b: Bench, fnId: string): Promise<string> {
  const res = await fetch(`${b.runtime.url}/v1/cancellations`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      app_id: b.appId,
      function_id: fnId,
      started_before: new Date().toISOString(),
    }),
  });
  return res.ok ? "bulk cancellation stored" : `bulk cancellation refused: ${res.status} ${await res.text()}`;
}

/**
 * Sent events of the function that have no run (REST listing of its runs since `from`, by event
 * id), each with what `GET /v1/events/{id}` says of the event itself.
 */
async function eventsWithoutRun(
  b: Bench,
  slug: string,
  from: string,
  sent: Map<string, string>,
  show = 10,
): Promise<{ count: number; lines: string[] }> {
  const seen = new Set((await listRuns(b, slug, from)).map((r) => r.eventId));
  const missing = [...sent].filter(([, id]) => !seen.has(id));
  const lines = await Promise.all(
    missing.slice(0, show).map(async ([tag, id]) => {
      const [event, runs] = await Promise.all([
        fetch(`${b.runtime.url}/v1/events/${id}`),
        fetch(`${b.runtime.url}/v1/events/${id}/runs`),
      ]);
      const runList = runs.ok ? ((await runs.json()) as { data: RestRun[] }).data : [];
      return `${tag}: event ${id} ${event.ok ? "stored" : `not found (${event.status}: it never reached the runner)`}, ${runList.length ? `runs ${runList.map((r) => `${r.run_id} ${r.status}`).join(", ")}` : "no run"}${b.firstStart.has(tag) ? ", but its first step ran in the app" : ""}`;
    }),
  );
  return { count: missing.length, lines };
}

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

/* ------------------------------------------------------------------------------------------ */
/* Summary                                                                                    */
/* ------------------------------------------------------------------------------------------ */

const summary: string[] = [];
/** Events that started no run (they should all have). */
const lostRuns: string[] = [];

/* ------------------------------------------------------------------------------------------ */
/* a. peak concurrency vs limit                                                               */
/* ------------------------------------------------------------------------------------------ */

interface PeakVariant {
  /** Tag prefix of its runs (its step bodies are told apart by it). */
  id: string;
  label: string;
  runs: number;
  budgetMs: number;
  /** Tenant and step durations of the i-th run. */
  run: (i: number, rand: () => number) => { tenant: string; ms: [number, number] };
}

const PEAK_VARIANTS: PeakVariant[] = [
  {
    id: "pk",
    label: `${PEAK_RUNS} runs over ${PEAK_TENANTS} random tenants, 2 step.run of 20–50 ms each`,
    runs: PEAK_RUNS,
    budgetMs: BUDGET.peak,
    run: (_, rand) => ({
      tenant: `tenant-${Math.floor(rand() * PEAK_TENANTS)}`,
      ms: [20 + Math.floor(rand() * 31), 20 + Math.floor(rand() * 31)],
    }),
  },
  {
    // The runs above finish faster than they arrive on this machine, so neither limit fills up:
    // here steps are long enough that both do (one tenant gets every fourth run).
    id: "sat",
    label: `saturating: ${SAT_RUNS} runs, every 4th of tenant "hot", the others over ${PEAK_TENANTS - 1} tenants, 2 step.run of 500–1000 ms each`,
    runs: SAT_RUNS,
    budgetMs: BUDGET.saturate,
    run: (i, rand) => ({
      tenant: i % 4 === 0 ? "hot" : `tenant-${Math.floor(rand() * (PEAK_TENANTS - 1))}`,
      ms: [500 + Math.floor(rand() * 501), 500 + Math.floor(rand() * 501)],
    }),
  },
];

async function peakConcurrency(b: Bench): Promise<void> {
  console.log(
    `\na. Peak concurrency vs limit: concurrency [{limit: ${PEAK_KEY_LIMIT}, key: event.data.tenant}, {limit: ${PEAK_FN_LIMIT}}];` +
      `\n   every step body's start and end recorded in the app; runs sent at once, in sends of ≤ ${SEND_CHUNK} events one after another`,
  );
  const lines: string[] = [];
  for (const v of PEAK_VARIANTS) {
    lines.push(await peakVariant(b, v));
    await quiet(500, 30_000);
  }
  summary.push(`a. peak concurrency: ${lines.join("; ")}`);
}

async function peakVariant(b: Bench, v: PeakVariant): Promise<string> {
  console.log(`   ${v.label}:`);
  const uuid = await functionUuid(b, b.appId, "peak");
  const rand = seeded(13);
  const events = Array.from({ length: v.runs }, (_, i) => ({
    name: b.ev("peak"),
    data: { tag: `${v.id}-${i}`, ...v.run(i, rand) },
  }));
  const mine = (tag: string) => tag.startsWith(`${v.id}-`);
  const spans = () => b.spans.filter((s) => mine(s.tag));
  const t0 = clock();
  const from = new Date(t0 - 1000).toISOString();
  const eventIds = new Map<string, string>();
  await Promise.all(
    chunks(events, SEND_CHUNK).map(async (c) => {
      const { ids } = await b.sendEvents(b.inngest, c);
      for (const [i, e] of c.entries()) eventIds.set(e.data.tag, ids[i] ?? "");
    }),
  );
  const sentAll = clock();
  const deadline = Date.now() + v.budgetMs;
  const returnedCount = () => events.filter((e) => b.returned.has(e.data.tag)).length;
  // Run creation (the runner) and execution overlap: when was the last run created? A wait with
  // no step body starting or ending for PEAK_STALL_MS ends early (and says so).
  let allCreated: number | undefined;
  let created = 0;
  let countError: string | undefined;
  let countedAt = t0;
  let lastCount = 0;
  let progress = `${b.spans.length}:${b.firstStart.size}`;
  let progressAt = Date.now();
  let stalled = false;
  while (Date.now() < deadline && returnedCount() < v.runs) {
    if (allCreated === undefined && Date.now() - lastCount >= 1000) {
      lastCount = Date.now();
      created = await countRuns(b, uuid, from).catch((err: unknown) => {
        countError = err instanceof Error ? err.message : String(err);
        return created;
      });
      countedAt = clock();
      if (created >= v.runs) allCreated = countedAt;
    }
    const now = `${b.spans.length}:${b.firstStart.size}`;
    if (now !== progress) {
      progress = now;
      progressAt = Date.now();
    } else if (Date.now() - progressAt > PEAK_STALL_MS) {
      stalled = true;
      break;
    }
    await sleep(100);
  }
  const returnedAll = returnedCount() >= v.runs;
  const seenCreated = `${created} at ${fmt((countedAt - t0) / 1000, 1)} s`;
  if (allCreated === undefined) created = await countRuns(b, uuid, from).catch(() => created);
  let completed = 0;
  let failed = 0;
  const countDeadline = Date.now() + 15_000;
  do {
    [completed, failed] = await Promise.all([
      countRuns(b, uuid, from, ["COMPLETED"]),
      countRuns(b, uuid, from, ["FAILED"]),
    ]);
    if (completed + failed >= v.runs || !returnedAll) break;
    await sleep(250);
  } while (Date.now() < countDeadline);
  const observedAt = clock();
  const finished = completed + failed >= v.runs;
  const endedAt = finished ? ((await lastEnded(b, "peak", from)) ?? observedAt) : observedAt;

  const all = spans();
  const byTenant = new Map<string, Array<[number, number]>>();
  for (const s of all) {
    const list = byTenant.get(s.tenant) ?? [];
    list.push([s.start, s.end]);
    byTenant.set(s.tenant, list);
  }
  const tenantPeaks = [...byTenant].map(([t, l]) => [t, sweep(l).peak] as const);
  const tenantMax = Math.max(0, ...tenantPeaks.map(([, n]) => n));
  const atKeyLimit = tenantPeaks.filter(([, n]) => n >= PEAK_KEY_LIMIT).length;
  const overall = sweep(all.map((s) => [s.start, s.end]));
  const firstBody = Math.min(...all.map((s) => s.start));
  const lastBody = Math.max(...all.map((s) => s.end));
  const bodyWindow = lastBody - firstBody;
  const atFull = [...overall.msAt].filter(([lvl]) => lvl >= PEAK_FN_LIMIT).reduce((n, [, ms]) => n + ms, 0);
  const over = tenantPeaks.filter(([, n]) => n > PEAK_KEY_LIMIT).map(([t, n]) => `${t} ${n}`);
  const extra = events.reduce(
    (n, e) => n + [0, 1].reduce((m, i) => m + Math.max(0, (b.bodies.get(`${e.data.tag}:${i}`) ?? 0) - 1), 0),
    0,
  );
  const seconds = (endedAt - t0) / 1000;
  const meanBodies = all.reduce((n, s) => n + (s.end - s.start), 0) / bodyWindow;

  console.log(
    `     sending took ${fmt((sentAll - t0) / 1000, 2)} s; ${allCreated !== undefined ? `all ${v.runs} runs created by ${fmt((allCreated - t0) / 1000, 1)} s (GraphQL count every 1 s)` : `${created} of ${v.runs} runs created by the end, the last count while runs went saw ${seenCreated} (GraphQL count every 1 s${countError ? `; a count failed: ${countError.slice(0, 200)}` : ""})`}`,
  );
  if (finished) {
    console.log(
      `     ${completed} Completed${failed ? `, ${failed} Failed` : ""}; first send → last run ended ${fmt(seconds, 1)} s ` +
        `(${fmt(v.runs / seconds)} runs/s, ${fmt((2 * v.runs) / seconds)} steps/s)`,
    );
  } else {
    console.log(
      `     ${stalled ? `NO STEP BODY STARTED OR ENDED FOR ${PEAK_STALL_MS / 1000} S` : `budget of ${v.budgetMs / 1000} s spent`}: ${returnedCount()} of ${v.runs} runs returned in the app, ${completed} Completed, ${failed} Failed (GraphQL) after ${fmt(seconds, 1)} s`,
    );
    const lost = await eventsWithoutRun(b, `${b.appId}-peak`, from, eventIds);
    console.log(`     events without a run (REST runs listing by event id): ${lost.count}`);
    for (const line of lost.lines) console.log(`       ${line}`);
    if (lost.count) lostRuns.push(`a (${v.id}): ${lost.count} of ${v.runs} events have no run`);
    const missing = events.filter((e) => !b.returned.has(e.data.tag));
    const states = await Promise.all(
      missing.slice(0, 10).map(async (e) => {
        const res = await fetch(`${b.runtime.url}/v1/events/${eventIds.get(e.data.tag)}/runs`);
        const run = res.ok ? ((await res.json()) as { data: RestRun[] }).data[0] : undefined;
        const steps = [0, 1].filter((i) => b.bodies.has(`${e.data.tag}:${i}`)).length;
        return `${e.data.tag} (${e.data.tenant}, event ${eventIds.get(e.data.tag)}): ${run ? `run ${run.run_id} ${run.status}, created ${run.run_started_at}` : `no run (${res.status})`}, ${steps} of 2 step bodies ran`;
      }),
    );
    console.log(`     runs that did not return${missing.length > 10 ? ` (10 of ${missing.length})` : ""}:`);
    for (const line of states) console.log(`       ${line}`);
  }
  console.log(
    `     peak step bodies at once per tenant: ${tenantMax} (limit ${PEAK_KEY_LIMIT}); ${atKeyLimit} of ${byTenant.size} tenants reached the limit` +
      (over.length ? `; OVER THE LIMIT: ${over.join(", ")}` : ""),
  );
  console.log(
    `     peak step bodies at once overall:    ${overall.peak} (limit ${PEAK_FN_LIMIT})${overall.peak > PEAK_FN_LIMIT ? " OVER THE LIMIT" : ""}; at ≥ ${PEAK_FN_LIMIT} for ${fmt((100 * atFull) / bodyWindow)}% of the ${fmt(bodyWindow / 1000)} s from the first body to the last; mean ${fmt(meanBodies)} running`,
  );
  console.log(
    `     step bodies: ${all.length} recorded for ${2 * v.runs} steps, ${extra} ran more than once`,
  );
  if (!finished) {
    console.log(`     cancelling the rest so that the next part starts clean: ${await cancelAll(b, "peak")}`);
    await quiet(1000, 60_000);
  }
  return (
    `${v.id === "pk" ? `${v.runs} runs` : `saturating ${v.runs} runs`}: per tenant ${tenantMax} / ${PEAK_KEY_LIMIT}, overall ${overall.peak} / ${PEAK_FN_LIMIT} ` +
    `(${tenantMax <= PEAK_KEY_LIMIT && overall.peak <= PEAK_FN_LIMIT ? "held" : "EXCEEDED"}), ` +
    (finished
      ? `${completed} Completed in ${fmt(seconds)} s (${fmt(v.runs / seconds)} runs/s, mean ${fmt(meanBodies)} bodies running)`
      : `only ${completed} of ${v.runs} Completed${stalled ? ` (STALLED: ${v.runs - returnedCount()} runs never returned)` : ` within ${v.budgetMs / 1000} s`}`)
  );
}

/* ------------------------------------------------------------------------------------------ */
/* b. fairness                                                                                */
/* ------------------------------------------------------------------------------------------ */

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

async function fairness(b: Bench): Promise<void> {
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

/* ------------------------------------------------------------------------------------------ */
/* c. throttle start rate                                                                     */
/* ------------------------------------------------------------------------------------------ */

/** Most of `times` (sorted) in any half-open window [t, t + windowMs) starting at one of them, from index `fromIndex`. */
function mostInWindow(times: number[], windowMs: number, fromIndex = 0): number {
  let most = 0;
  let j = 0;
  for (let i = fromIndex; i < times.length; i++) {
    const start = times[i] ?? 0;
    j = Math.max(j, i);
    while (j < times.length && (times[j] ?? 0) < start + windowMs) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

interface ThrottleResult {
  burst: number;
  started: number;
  line: string;
  available: boolean;
  maxDev?: number;
  meanDev?: number;
  windowMost?: number;
  /** A start before the slot the GCRA gave it. */
  early?: boolean;
}

async function throttleVariant(b: Bench, burst: number): Promise<ThrottleResult> {
  const fnId = `throttle-b${burst}`;
  const capacity = THROTTLE.limit + burst;
  const interval = THROTTLE.periodMs / THROTTLE.limit;
  const tags = Array.from({ length: THROTTLE_RUNS }, () => b.nextTag(`th${burst}`));
  const sentAt = clock();
  const from = new Date(sentAt - 1000).toISOString();
  await b.sendEvents(
    b.throttled,
    tags.map((tag) => ({ name: b.ev(fnId), data: { tag } })),
  );
  const expectedSpan = Math.max(0, THROTTLE_RUNS - capacity) * interval;
  const deadline = Date.now() + Math.min(BUDGET.throttle, expectedSpan + 20_000);
  const startedCount = () => tags.filter((t) => b.firstStart.has(t)).length;
  while (Date.now() < deadline && startedCount() < THROTTLE_RUNS) await sleep(50);
  const starts = sorted(tags.map((t) => b.firstStart.get(t)).filter((t): t is number => t !== undefined));
  const first = starts[0];
  const label = `limit ${THROTTLE.limit} / ${THROTTLE.periodMs / 1000} s, burst ${burst}`;
  if (first === undefined) {
    return {
      burst,
      started: 0,
      available: false,
      line: `   ${label}: throttle: not available (no run started within the budget)`,
    };
  }
  // The throttle reserves a slot when the runner creates the run (its `run_started_at`): replaying
  // the GCRA over those times gives the slots the runs got, whatever the runner's pace.
  const created = sorted(
    (await listRuns(b, `${b.throttleAppId}-${fnId}`, from))
      .map((r) => r.startedAt)
      .filter((t) => !Number.isNaN(t)),
  );
  const gcraSlots: number[] = [];
  let tat: number | undefined;
  for (const c of created) {
    const next = Math.max(tat ?? c, c) + interval;
    gcraSlots.push(Math.max(c, next - capacity * interval));
    tat = next;
  }
  const slot = (i: number, at: number) => at + Math.max(0, i - capacity + 1) * interval;
  const expected = starts.map((_, i) => slot(i, first));
  const shape = starts.map((s, i) => s - (expected[i] ?? s));
  const absShape = shape.map(Math.abs);
  const late = starts.slice(0, gcraSlots.length).map((s, i) => s - (gcraSlots[i] ?? s));
  const span = (starts.at(-1) ?? first) - first;
  const windowMost = mostInWindow(starts, THROTTLE.periodMs);
  const idealMost = mostInWindow(expected, THROTTLE.periodMs);
  const slotsMost = mostInWindow(gcraSlots, THROTTLE.periodMs);
  const afterBurst = mostInWindow(starts, THROTTLE.periodMs, capacity);
  const idealAfterBurst = mostInWindow(expected, THROTTLE.periodMs, capacity);
  const mean = (xs: number[]) => xs.reduce((n, x) => n + x, 0) / Math.max(1, xs.length);
  const lines = [
    `   ${label}: expected ${capacity} at once, then one every ${interval} ms (last start +${fmt(expectedSpan / 1000, 1)} s after the first)`,
  ];
  if (process.env.BENCH_DEBUG) {
    const t = (xs: number[]) => xs.map((x) => fmt(x - (created[0] ?? first), 0)).join(" ");
    lines.push(`     created (ms after the first run's creation): ${t(created)}`);
    lines.push(`     GCRA slots:                                   ${t(gcraSlots)}`);
    lines.push(`     first step starts:                            ${t(starts)}`);
  }
  const available = starts.length < THROTTLE_RUNS || span >= expectedSpan / 2;
  if (!available) {
    lines.push(
      `     throttle: not available (runs were not delayed: ${starts.length} started within ${fmt(span, 0)} ms of each other)`,
    );
    return {
      burst,
      started: starts.length,
      available,
      line: lines.join("\n"),
      maxDev: Number.NaN,
      meanDev: Number.NaN,
      windowMost,
    };
  }
  const maxDev = Math.max(...absShape);
  const meanDev = mean(absShape);
  lines.push(
    `     started ${starts.length}/${THROTTLE_RUNS}; send → first start ${fmt(first - sentAt, 0)} ms; last start +${fmt(span / 1000, 2)} s after the first (expected +${fmt(expectedSpan / 1000, 1)} s)`,
  );
  lines.push(
    `     vs that schedule (anchored at the first start): max |Δ| ${fmt(maxDev, 0)} ms, mean |Δ| ${fmt(meanDev, 0)} ms, mean Δ ${fmt(mean(shape), 0)} ms (+ = late)`,
  );
  lines.push(
    `     the runner created the ${created.length} runs over ${fmt(((created.at(-1) ?? 0) - (created[0] ?? 0)) / 1000, 2)} s (the throttle sees them as they are created);` +
      `\n     vs the GCRA slots of those creation times (i-th start vs i-th slot): late by mean ${fmt(mean(late), 0)} ms, max ${fmt(Math.max(...late), 0)} ms, min ${fmt(Math.min(...late), 0)} ms` +
      `${Math.min(...late) < -5 ? "   EARLIER THAN THE GCRA ALLOWS" : " (none early)"}; undelayed ${fmt(mean(late.filter((_, i) => (gcraSlots[i] ?? 0) <= (created[i] ?? 0))), 0)} ms, delayed ${fmt(mean(late.filter((_, i) => (gcraSlots[i] ?? 0) > (created[i] ?? 0))), 0)} ms on average`,
  );
  lines.push(
    `     most starts in any ${THROTTLE.periodMs / 1000} s window: ${windowMost} (limit + burst = ${capacity}; the ideal schedule has ${idealMost}, the burst plus ${THROTTLE.limit - 1} paced starts;` +
      `\n       the GCRA slots of the creation times ${slotsMost}); in windows starting after the burst: ${afterBurst} (ideal ${idealAfterBurst})` +
      (windowMost > slotsMost
        ? `   MORE THAN THE GCRA SLOTS ALLOW (${slotsMost}): late starts bunch up`
        : ""),
  );
  return {
    burst,
    started: starts.length,
    available,
    line: lines.join("\n"),
    maxDev,
    meanDev,
    windowMost,
    early: Math.min(...late) < -5,
  };
}

async function throttleRate(b: Bench): Promise<void> {
  console.log(
    `\nc. Throttle start rate: ${THROTTLE_RUNS} runs sent at once (one send) per function; first step start per run, recorded in the app`,
  );
  if (b.throttleSync) {
    console.log(`   throttle: not available (the throttled app's ${b.throttleSync})`);
    summary.push("c. throttle: not available (the throttled app did not sync)");
    return;
  }
  // One function after the other: sent together, the second's runs would wait behind the first's
  // in the runner's lanes.
  awsCalls.reset();
  const results: ThrottleResult[] = [];
  for (const burst of THROTTLE_BURSTS) {
    const r = await throttleVariant(b, burst);
    console.log(r.line);
    results.push(r);
  }
  // The GCRA state is one item per key, read and conditionally written by every reservation; a
  // lost race reads and writes again. Uncontended that is one GetItem and one PutItem per run.
  const calls = awsCalls.snapshot();
  const runs = THROTTLE_BURSTS.length * THROTTLE_RUNS;
  console.log(
    `   runner calls per run while the ${runs} runs were created: ${fmt((calls["runner:DynamoDB.PutItem"] ?? 0) / runs, 2)} PutItem, ${fmt((calls["runner:DynamoDB.GetItem"] ?? 0) / runs, 2)} GetItem` +
      ` (with no race lost: 1 PutItem, and 4 GetItem (2 without a throttle); more are GCRA races lost)`,
  );
  summary.push(
    `c. throttle: ${results
      .map((r) =>
        r.available
          ? `burst ${r.burst}: ${r.started}/${THROTTLE_RUNS} started${r.early ? ", SOME BEFORE THEIR SLOT" : ", none before its slot"}, max |Δ| ${fmt(r.maxDev ?? Number.NaN, 0)} ms, mean |Δ| ${fmt(r.meanDev ?? Number.NaN, 0)} ms, most per ${THROTTLE.periodMs / 1000} s ${r.windowMost} (ideal GCRA ${THROTTLE.limit + r.burst + THROTTLE.limit - 1}; limit + burst ${THROTTLE.limit + r.burst})`
          : `burst ${r.burst}: throttle: not available`,
      )
      .join("; ")}`,
  );
}

/* ------------------------------------------------------------------------------------------ */
/* d. AWS calls per run                                                                       */
/* ------------------------------------------------------------------------------------------ */

const HANDLERS = /^(event-api|api|runner|executor|timer):/;

function handlerCalls(): Record<string, number> {
  return Object.fromEntries(Object.entries(awsCalls.snapshot()).filter(([k]) => HANDLERS.test(k)));
}

/** Waits until no handler has run or made an AWS call for `quietMs`. */
async function quiet(quietMs = 400, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  const state = () => JSON.stringify([handlerCalls(), invocationStats.running()]);
  let last = state();
  let since = Date.now();
  while ((Date.now() - since < quietMs || invocationStats.running() > 0) && Date.now() < end) {
    await sleep(20);
    const now = state();
    if (now !== last) {
      last = now;
      since = Date.now();
    }
  }
}

const total = (calls: Record<string, number>) => Object.values(calls).reduce((a, v) => a + v, 0);

interface Counted {
  calls: Record<string, number>;
  statuses: string[];
}

/**
 * Counts the handlers' AWS calls of what `go` sends, between quiet periods: no API is read while
 * counting (the api handler also serves checkpoints); the statuses are read afterwards.
 */
async function counted(
  b: Bench,
  go: () => Promise<Array<{ eventId: string; tag: string }>>,
): Promise<Counted> {
  await quiet();
  awsCalls.reset();
  invocationStats.reset();
  const sent = await go();
  await waitFor(() => sent.every((s) => b.returned.has(s.tag)), {
    timeoutMs: BUDGET.callsRun,
    intervalMs: 10,
  }).catch(() => undefined);
  await quiet();
  const calls = handlerCalls();
  const statuses = await Promise.all(
    sent.map(
      async (s) =>
        (
          await waitForFinalRun(b.runtime.url, s.eventId, { intervalMs: 50, timeoutMs: 5000 }).catch(() => ({
            status: "not finished",
          }))
        ).status,
    ),
  );
  return { calls, statuses };
}

/** The median run (by total calls) of `n` single runs of the function. */
async function medianRun(b: Bench, fnId: string, client: Inngest): Promise<Counted & { totals: number[] }> {
  const runs: Counted[] = [];
  for (let i = 0; i < CALL_RUNS; i++) {
    runs.push(await counted(b, async () => [await b.send(fnId, { tenant: `solo-${i}` }, client)]));
  }
  const byTotal = [...runs].sort((x, y) => total(x.calls) - total(y.calls));
  const median = byTotal[Math.floor(byTotal.length / 2)] ?? { calls: {}, statuses: [] };
  return { ...median, totals: runs.map((r) => total(r.calls)) };
}

function diff(a: Record<string, number>, base: Record<string, number>, times = 1): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of new Set([...Object.keys(a), ...Object.keys(base)])) {
    const d = (a[k] ?? 0) - times * (base[k] ?? 0);
    if (d !== 0) out[k] = d;
  }
  return out;
}

function printDiff(label: string, d: Record<string, number>): void {
  const entries = Object.entries(d).sort(([x], [y]) => x.localeCompare(y));
  console.log(`   ${label}: ${entries.length ? "" : "none"}`);
  for (const [k, v] of entries) console.log(`      ${(v > 0 ? `+${v}` : String(v)).padStart(5)}  ${k}`);
}

async function callsPerRun(b: Bench): Promise<void> {
  console.log(
    `\nd. AWS calls of one 3-step run (the handlers' calls, counted between quiet periods; median of ${CALL_RUNS} runs)`,
  );
  const plain = await medianRun(b, "calls-plain", b.inngest);
  const conc = await medianRun(b, "calls-conc", b.inngest);
  const thr = b.throttleSync ? undefined : await medianRun(b, "calls-throttle", b.throttled);

  // Two runs on one full key: the second parks until the first's 1.5 s step gives its slot back.
  const parkedPair = await counted(b, async () => {
    const tenant = `pair-${randomSuffix()}`;
    const holder = await b.send("calls-conc", { tenant, holdMs: 1500 });
    await waitFor(() => b.firstStart.has(holder.tag), { timeoutMs: 10_000, intervalMs: 5 });
    return [holder, await b.send("calls-conc", { tenant })];
  });
  // Two runs on a throttle of 1 per 3 s: the second start is delayed through the timers.
  const delayedPair = b.throttleSync
    ? undefined
    : await counted(b, async () => {
        const first = await b.send("calls-throttle-delay", {}, b.throttled);
        await waitFor(() => b.firstStart.has(first.tag), { timeoutMs: 10_000, intervalMs: 5 });
        return [first, await b.send("calls-throttle-delay", {}, b.throttled)];
      });

  const row = (label: string, c: Counted & { totals?: number[] }, base?: number) =>
    console.log(
      `   ${label.padEnd(44)} ${c.statuses.join(",").padEnd(20)} ${String(total(c.calls)).padStart(5)}` +
        `${base !== undefined ? `   ${total(c.calls) - base >= 0 ? "+" : ""}${total(c.calls) - base}`.padEnd(10) : "".padEnd(10)}` +
        `${c.totals ? `   (runs: ${c.totals.join(", ")})` : ""}`,
    );
  console.log(`   ${"variant".padEnd(44)} ${"status".padEnd(20)} calls   vs plain`);
  const base = total(plain.calls);
  row("no flow control", plain);
  row("concurrency {limit: 1, key: event.data.tenant}", conc, base);
  if (thr) row("throttle {limit: 100, period: 1s} (not delayed)", thr, base);
  else console.log("   throttle: not available (the throttled app did not sync)");
  row("2 runs, one key of limit 1 (the second parks)", parkedPair, 2 * total(conc.calls));
  if (delayedPair)
    row("2 runs, throttle 1 per 3 s (the second delayed)", delayedPair, 2 * (thr ? total(thr.calls) : 0));
  console.log("   (the pairs are compared with two runs of the same kind that did not wait)");

  console.log("   calls of the run with no flow control (handler:Service.Operation):");
  for (const [k, v] of Object.entries(plain.calls).sort(([x], [y]) => x.localeCompare(y)))
    console.log(`      ${String(v).padStart(5)}  ${k}`);
  printDiff("concurrency overhead per run (vs no flow control)", diff(conc.calls, plain.calls));
  if (thr)
    printDiff("throttle overhead per run, not delayed (vs no flow control)", diff(thr.calls, plain.calls));
  printDiff("a parked run's extra calls (pair − 2 × unparked run)", diff(parkedPair.calls, conc.calls, 2));
  if (delayedPair && thr)
    printDiff(
      "a delayed start's extra calls (pair − 2 × undelayed run)",
      diff(delayedPair.calls, thr.calls, 2),
    );

  summary.push(
    `d. calls per 3-step run: plain ${base}, keyed concurrency ${total(conc.calls)} (+${total(conc.calls) - base})` +
      (thr ? `, throttle ${total(thr.calls)} (+${total(thr.calls) - base})` : ", throttle: not available") +
      `; parked run +${total(parkedPair.calls) - 2 * total(conc.calls)}` +
      (delayedPair && thr ? `, delayed start +${total(delayedPair.calls) - 2 * total(thr.calls)}` : ""),
  );
}

/* ------------------------------------------------------------------------------------------ */

/** The 1- and 5-minute load averages: the emulators, the runtime and the app share the cores with whatever else runs. */
const load = () =>
  loadavg()
    .slice(0, 2)
    .map((x) => x.toFixed(1))
    .join(" / ");

async function main(): Promise<void> {
  const started = Date.now();
  const loadAtStart = load();
  const b = await setup();
  try {
    // Warm-up: module loading, first connections, the function cache.
    const warm = [
      await b.send("calls-plain", { tenant: "warm" }),
      await b.send("calls-conc", { tenant: "warm" }),
      await b.send("fair", { tenant: "warm", steps: 1 }),
      ...(b.throttleSync ? [] : [await b.send("calls-throttle", {}, b.throttled)]),
    ];
    await Promise.all(
      warm.map((w) => waitForFinalRun(b.runtime.url, w.eventId, { intervalMs: 20, timeoutMs: 60_000 })),
    );
    console.log(
      `tideline dev and the apps ready in ${fmt((Date.now() - started) / 1000, 1)} s (after ${warm.length} warm-up runs); load average ${load()} on ${availableParallelism()} cores` +
        (b.throttleSync ? `; the throttled app: ${b.throttleSync}` : ""),
    );
    const part = async (name: string, fn: () => Promise<void>) => {
      const t = Date.now();
      try {
        await fn();
      } catch (err) {
        console.log(`   part ${name} failed: ${err instanceof Error ? err.message : String(err)}`);
        summary.push(`${name}. failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      console.log(`   (part ${name} took ${fmt((Date.now() - t) / 1000, 1)} s)`);
    };
    if (PARTS.has("d")) await part("d", () => callsPerRun(b));
    if (PARTS.has("c")) await part("c", () => throttleRate(b));
    await quiet(500, 30_000);
    if (PARTS.has("a")) await part("a", () => peakConcurrency(b));
    await quiet(500, 30_000);
    if (PARTS.has("b")) await part("b", () => fairness(b));
  } finally {
    console.log(`\nSummary (load average now ${load()}; it was ${loadAtStart} at the start)`);
    for (const line of [...summary].sort()) console.log(`  ${line}`);
    if (lostRuns.length) console.log(`  EVENTS WITHOUT A RUN: ${lostRuns.join("; ")}`);
    const stopAt = Date.now();
    await b.stop();
    console.log(
      `\nbench took ${fmt((Date.now() - started) / 1000, 1)} s (stopping ${fmt((Date.now() - stopAt) / 1000, 1)} s)`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
