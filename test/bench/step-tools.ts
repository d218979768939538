/**
 * Benchmark of the step tools on `tideline dev` (real clock, emulated AWS):
 *   1. waitForEvent: time from sending the matching event to the waiting run's next step, over
 *      RUNS runs (default 50), one at a time;
 *   2. sleep wake-up lateness: when the step after `step.sleep` began, minus the sleep's wake
 *      time (recorded by the engine), for 1 s and 30 s sleeps (SLEEPS at once, default 20);
 *   3. the same for a 20 s sleep through the EventBridge Scheduler path, with the timers queue's
 *      hop shortened to 5 s (TIDELINE_TIMER_QUEUE_MAX_DELAY_SECONDS=5): Scheduler fires 5 s early,
 *      the remainder is re-delayed on the queue;
 *   4. the AWS calls the handlers make for one run that waits for an event and one that invokes
 *      a child (the child's calls included).
 *
 *   npm run bench:steps
 */
import { spawnSync } from "node:child_process";
import { Inngest } from "inngest";
import { silentLogger } from "../../infra/local/log.js";
import { startLocalRuntime } from "../../infra/local/runtime.js";
import { awsCalls } from "../../shared/adapters/aws/callCounter.js";
import { awsClients } from "../../shared/adapters/aws/clients.js";
import { DynamoPauseStore } from "../../shared/adapters/aws/DynamoPauseStore.js";
import { DynamoRunStore } from "../../shared/adapters/aws/DynamoRunStore.js";
import { LargeJson } from "../../shared/adapters/aws/largeJson.js";
import { S3BlobStore } from "../../shared/adapters/aws/S3BlobStore.js";
import { loadConfig } from "../../shared/config.js";
import { eventPause } from "../../shared/core/pauses/create.js";
import { serveApp } from "../e2e/serveApp.js";
import { makeEvent, makeRun } from "../fixtures/records.js";
import {
  firstRunOf,
  gqlAt,
  randomSuffix,
  waitFor,
  waitForFinalRun,
  waitForStepWaiting,
} from "../helpers/index.js";
import { percentile } from "./stats.js";

/** The environment before any runtime set its emulators' endpoints (the second phase gets its own). */
const STARTING_ENV = { ...process.env };
const RUNS = Number(process.env.RUNS ?? 50);
const SLEEPS = Number(process.env.SLEEPS ?? 20);

type Runtime = Awaited<ReturnType<typeof startLocalRuntime>>;

function report(label: string, values: number[]): void {
  const sorted = [...values].sort((a, b) => a - b);
  console.log(
    `  ${label}: p50 ${percentile(sorted, 50).toFixed(0)} ms   p99 ${percentile(sorted, 99).toFixed(0)} ms   min ${sorted[0]?.toFixed(0)} ms   max ${sorted[sorted.length - 1]?.toFixed(0)} ms   (n=${sorted.length})`,
  );
}

interface Span {
  name: string;
  status: string;
  startedAt: string | null;
  endedAt: string | null;
}

async function spans(runtime: Runtime, runId: string): Promise<Span[]> {
  const data = await gqlAt<{ run: { trace: { childrenSpans: Span[] } | null } | null }>(
    runtime.url,
    "query ($runId: String!) { run(runID: $runId) { trace(preview: true) { childrenSpans { name status startedAt endedAt } } } }",
    { runId },
  );
  return data.run?.trace?.childrenSpans ?? [];
}

async function runOf(runtime: Runtime, eventId: string): Promise<string> {
  return (await firstRunOf(runtime.url, eventId)).run_id;
}

/** Starts `tideline dev` with an app whose functions record when their steps run. */
async function setup(env: Record<string, string> = {}) {
  const suffix = randomSuffix();
  const ev = (name: string) => `bench-${suffix}/${name}`;
  const after = new Map<string, number>();
  const runtime = await startLocalRuntime({
    port: 0,
    prefix: `bench-steps-${suffix}`,
    log: silentLogger,
    env,
  });
  const inngest = new Inngest({ id: `bench-steps-${suffix}`, isDev: true, baseUrl: runtime.url });
  const child = inngest.createFunction(
    { id: "child", triggers: [] },
    async ({ event }: { event: { data: Record<string, unknown> } }) => ({
      n: Number(event.data.n) * 2,
    }),
  );
  const sleeper = (id: string, duration: string) =>
    inngest.createFunction({ id, triggers: [{ event: ev(id) }] }, async ({ step, event }) => {
      await step.sleep("nap", duration);
      await step.run("after", () => {
        after.set(String(event.data.key), Date.now());
      });
    });
  const functions = [
    child,
    inngest.createFunction({ id: "waiter", triggers: [{ event: ev("wait") }] }, async ({ step, event }) => {
      await step.waitForEvent("w", { event: ev("go"), match: "data.key", timeout: "1m" });
      await step.run("after", () => {
        after.set(String(event.data.key), Date.now());
      });
    }),
    inngest.createFunction({ id: "invoker", triggers: [{ event: ev("invoke") }] }, async ({ step }) =>
      step.invoke("call", { function: child, data: { n: 2 } }),
    ),
    sleeper("sleep-1s", "1s"),
    sleeper("sleep-30s", "30s"),
    sleeper("sleep-20s", "20s"),
  ];
  const app = await serveApp({ client: inngest, functions });
  const put = await fetch(app.url, { method: "PUT" });
  if (put.status !== 200) throw new Error(`sync failed: ${put.status} ${await put.text()}`);
  const send = async (name: string, data: Record<string, unknown>) =>
    (await inngest.send({ name: ev(name), data })).ids[0] ?? "";
  return {
    runtime,
    send,
    after,
    stop: async () => {
      await app.stop();
      await runtime.stop();
    },
  };
}

type Setup = Awaited<ReturnType<typeof setup>>;

async function waitLatency(s: Setup): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const key = `w${i}-${randomSuffix()}`;
    const runId = await runOf(s.runtime, await s.send("wait", { key }));
    await waitForStepWaiting(s.runtime.url, runId, "w", { intervalMs: 10 });
    const t0 = Date.now();
    await s.send("go", { key });
    const t1 = await waitFor(async () => s.after.get(key), { timeoutMs: 20_000, intervalMs: 2 });
    out.push(t1 - t0);
  }
  return out;
}

/** Starts `count` sleeping runs at once; lateness = the next step's start minus the recorded wake. */
async function sleepLateness(s: Setup, fn: string, count: number, timeoutMs: number): Promise<number[]> {
  const keys = Array.from({ length: count }, (_, i) => `${fn}-${i}-${randomSuffix()}`);
  const runIds = await Promise.all(keys.map(async (key) => runOf(s.runtime, await s.send(fn, { key }))));
  const out: number[] = [];
  await Promise.all(
    keys.map(async (key, i) => {
      const ran = await waitFor(async () => s.after.get(key), { timeoutMs, intervalMs: 20 });
      const nap = (await spans(s.runtime, runIds[i] ?? "")).find((x) => x.name === "nap");
      if (!nap?.endedAt) throw new Error(`no wake time for ${key}`);
      out.push(ran - Date.parse(nap.endedAt));
    }),
  );
  return out;
}

/**
 * The handlers' AWS calls for one run (the API's own polling left out). A waiting run is resumed
 * by its matching event once it waits; both sends are counted.
 */
async function callsOf(s: Setup, name: "wait" | "invoke"): Promise<Record<string, number>> {
  awsCalls.reset();
  const key = randomSuffix();
  const eventId = await s.send(name, { key });
  if (name === "wait") {
    const runId = await runOf(s.runtime, eventId);
    await waitForStepWaiting(s.runtime.url, runId, "w", { intervalMs: 10 });
    await s.send("go", { key });
  }
  const run = await waitForFinalRun(s.runtime.url, eventId, { intervalMs: 20 });
  if (run.status !== "Completed") throw new Error(`${name} ended ${run.status}`);
  // Let the last sends settle (the finished events of the runs reach the runner after the end).
  await new Promise((r) => setTimeout(r, 1000));
  return Object.fromEntries(
    Object.entries(awsCalls.snapshot()).filter(([k]) => /^(event-api|runner|executor|timer):/.test(k)),
  );
}

function printCalls(label: string, calls: Record<string, number>): void {
  const total = Object.values(calls).reduce((n, v) => n + v, 0);
  console.log(`  ${label}: ${total} calls`);
  for (const [k, v] of Object.entries(calls).sort(([a], [b]) => a.localeCompare(b))) {
    console.log(`    ${String(v).padStart(4)}  ${k}`);
  }
}

/**
 * How an event finds the runs waiting on its name: WAITING runs, each waiting for `data.key` to be
 * its own key, are written straight to the pauses table (as the executor's commit writes them);
 * then each of 50 events with one of those keys looks up its candidates.
 */
async function pauseLookup(waiting: number): Promise<void> {
  const clients = awsClients();
  const config = loadConfig();
  const json = new LargeJson(new S3BlobStore(clients.s3, config.bucket));
  const runs = new DynamoRunStore(clients.doc, config.tables, json, 3600);
  const pauses = new DynamoPauseStore(clients.doc, config.tables.pauses, json);
  const name = `bench-lookup-${randomSuffix()}/reply`;
  const now = Date.now();
  const keys = Array.from({ length: waiting }, (_, i) => `k${i}`);
  for (let i = 0; i < keys.length; i += 50) {
    await Promise.all(
      keys.slice(i, i + 50).map(async (key) => {
        const run = makeRun({ events: [makeEvent({ name: "bench/start", data: { key } })] });
        const built = eventPause(run, {
          kind: "wait",
          pauseId: `${run.runId}:w`,
          eventName: name,
          expression: "event.data.key == async.data.key",
          stepId: "w",
          createdAt: now,
          expiresAt: now + 3_600_000,
        });
        if (!built.ok) throw new Error(built.error);
        await runs.createRun(run, undefined, [built.pause]);
      }),
    );
  }
  const times: number[] = [];
  let found = 0;
  awsCalls.reset();
  for (let i = 0; i < 50; i++) {
    const event = makeEvent({ name, data: { key: keys[(i * 37) % keys.length] ?? "" } });
    const t0 = performance.now();
    // Each event on its own, as the first of its name in a runner batch: the paths read, then the
    // partition its value selects (later events of that name in the batch skip the first read).
    const lookup = async () => pauses.candidates(event, await pauses.indexedPaths(name));
    found += (await awsCalls.inScope("lookup", lookup)).length;
    times.push(performance.now() - t0);
  }
  const snapshot = Object.entries(awsCalls.snapshot()).filter(([k]) => k.startsWith("lookup:"));
  const calls = snapshot.reduce((n, [, v]) => n + v, 0);
  console.log(`\npause lookup: 50 events, each matching 1 of ${waiting} runs waiting on its name`);
  report("indexedPaths() + candidates()", times);
  console.log(`  ${(calls / 50).toFixed(1)} AWS calls and ${(found / 50).toFixed(1)} candidates per event`);
  for (const [k, v] of snapshot) console.log(`    ${String(v).padStart(4)}  ${k}`);
}

async function main(): Promise<void> {
  if (process.env.BENCH_PHASE === "hop") return schedulerHop();
  const s = await setup();
  try {
    console.log(
      `waitForEvent: matching event sent → the run's next step begins (${RUNS} runs, one at a time)`,
    );
    report("resume latency", await waitLatency(s));
    console.log(`\nsleep wake-up lateness (next step began − wake time), ${SLEEPS} runs at once`);
    report("1 s sleeps ", await sleepLateness(s, "sleep-1s", SLEEPS, 30_000));
    report("30 s sleeps", await sleepLateness(s, "sleep-30s", SLEEPS, 90_000));
    console.log("\nAWS calls made by the handlers (after the runs completed; the API's polling excluded)");
    await callsOf(s, "invoke"); // warm: the first run of a function pays for its lookups
    printCalls("one run: waitForEvent resumed by its event, then one step", await callsOf(s, "wait"));
    printCalls("one run that invokes a child (the child's run included)", await callsOf(s, "invoke"));
    await pauseLookup(Number(process.env.WAITING ?? 1000));
  } finally {
    await s.stop();
  }
  // The handlers keep their AWS clients for the process (as a Lambda container does), so the
  // second runtime, with its own emulators, runs in a process of its own.
  const child = spawnSync(process.execPath, process.execArgv.concat(process.argv.slice(1)), {
    stdio: "inherit",
    env: { ...STARTING_ENV, BENCH_PHASE: "hop" },
  });
  if (child.status !== 0) throw new Error(`the Scheduler phase failed (${child.status})`);
}

async function schedulerHop(): Promise<void> {
  const hop = await setup({ TIDELINE_TIMER_QUEUE_MAX_DELAY_SECONDS: "5" });
  try {
    console.log("\nScheduler path: 20 s sleeps with the queue hop shortened to 5 s");
    report("20 s sleeps", await sleepLateness(hop, "sleep-20s", SLEEPS, 90_000));
  } finally {
    await hop.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
