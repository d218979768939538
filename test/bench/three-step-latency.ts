/**
 * Benchmark: time from `inngest.send` to Completed for a 3-step function on `tideline dev`, and
 * the AWS API calls one such run makes (by handler, service and operation).
 *
 *   npm run bench                 # 20 measured runs (after 2 warm-up runs)
 *   RUNS=50 npm run bench
 *
 * Completion is observed by polling the REST API every 10 ms; those calls are made by the api
 * handler and are reported apart from the run's own calls (counted per handler by scope).
 */

import { silentLogger } from "../../infra/local/log.js";
import { startLocalRuntime } from "../../infra/local/runtime.js";
import { awsCalls } from "../../shared/adapters/aws/callCounter.js";
import { startSdkApp } from "../e2e/sdkApp.js";
import { randomSuffix, waitForFinalRun } from "../helpers/index.js";
import { percentile } from "./stats.js";

const RUNS = Number(process.env.RUNS ?? 20);
const WARMUP = 2;

async function main(): Promise<void> {
  const suffix = randomSuffix();
  const runtime = await startLocalRuntime({
    port: 0,
    prefix: `bench-${suffix}`,
    log: silentLogger,
  });
  const app = await startSdkApp({ baseUrl: runtime.url, suffix });
  try {
    const put = await fetch(app.url, { method: "PUT" });
    if (put.status !== 200) throw new Error(`sync failed: ${put.status} ${await put.text()}`);

    const runOnce = async (tag: string): Promise<{ ms: number; calls: Record<string, number> }> => {
      awsCalls.reset();
      const t0 = performance.now();
      const { ids } = await app.inngest.send({ name: app.ev("three"), data: { tag } });
      const { status } = await waitForFinalRun(runtime.url, ids[0] ?? "", { intervalMs: 10 });
      const ms = performance.now() - t0;
      if (status !== "Completed") throw new Error(`run ended ${status}`);
      return { ms, calls: awsCalls.snapshot() };
    };

    for (let i = 0; i < WARMUP; i++) await runOnce(`warm-${i}`);
    const times: number[] = [];
    let lastCalls: Record<string, number> = {};
    for (let i = 0; i < RUNS; i++) {
      const r = await runOnce(`run-${i}`);
      times.push(r.ms);
      lastCalls = r.calls;
    }
    times.sort((a, b) => a - b);
    const median = percentile(times, 50);
    console.log(`3-step function, send → Completed on tideline dev, ${RUNS} runs (after ${WARMUP} warm-up):`);
    console.log(
      `  median ${median.toFixed(0)} ms   p95 ${percentile(times, 95).toFixed(0)} ms   min ${times[0]?.toFixed(0)} ms   max ${times[times.length - 1]?.toFixed(0)} ms`,
    );
    // Calls made by the handlers for the last run. The SDK's checkpoints reach the api handler as
    // TransactWriteItems; its other calls are the REST polling, listed apart with the emulated
    // event-source mappings' own polling (unscoped ReceiveMessage/GetRecords/DeleteMessageBatch,
    // mostly idle polls). `npm run bench:fast` counts without polling, for both SDK modes.
    const own = Object.fromEntries(
      Object.entries(lastCalls).filter(
        ([k]) => /^(event-api|runner|executor|timer):/.test(k) || k === "api:DynamoDB.TransactWriteItems",
      ),
    );
    const other = Object.fromEntries(Object.entries(lastCalls).filter(([k]) => !(k in own)));
    console.log("\nAWS API calls made by the handlers for one run (handler:Service.Operation):");
    printCalls(own);
    const steps = 3;
    const total = Object.values(own).reduce((n, v) => n + v, 0);
    console.log(
      `  per step: ${(total / steps).toFixed(1)} calls (${steps} steps, SDK defaults: checkpointed, api:TransactWriteItems are the checkpoints)`,
    );
    console.log("\nOther calls during that run (REST polling every 10 ms, idle event-source polling):");
    printCalls(other);
  } finally {
    await app.stop();
    await runtime.stop();
  }
}

function printCalls(calls: Record<string, number>): void {
  const entries = Object.entries(calls).sort(([a], [b]) => a.localeCompare(b));
  for (const [k, v] of entries) console.log(`  ${String(v).padStart(5)}  ${k}`);
  console.log(`  ${String(entries.reduce((s, [, v]) => s + v, 0)).padStart(5)}  total`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
