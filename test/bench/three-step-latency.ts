/**
 * Benchmark: time from `inngest.send` to Completed for a 3-step function on `tideline dev`, and
 * the AWS API calls one such run makes (by handler, service and operation).
 *
 *   npm run bench                 # 20 measured runs (after 2 warm-up runs)
 *   RUNS=50 npm run bench
 *
 * Completion is observed by polling the REST API every 10 ms; those polling calls are made by the
 * api handler and are reported separately from the run's own calls.
 */

import { silentLogger } from "../../infra/local/log.js";
import { startLocalRuntime } from "../../infra/local/runtime.js";
import { awsCalls } from "../../shared/adapters/aws/callCounter.js";
import { startSdkApp } from "../e2e/sdkApp.js";
import { randomSuffix, waitFor } from "../helpers/index.js";

const RUNS = Number(process.env.RUNS ?? 20);
const WARMUP = 2;

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

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
      const status = await waitFor(
        async () => {
          const res = await fetch(`${runtime.url}/v1/events/${ids[0]}/runs`);
          if (res.status !== 200) return undefined;
          const run = ((await res.json()) as { data: { status: string }[] }).data[0];
          return run && run.status !== "Running" ? run.status : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 10 },
      );
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
    // Let pollers settle so the counted run's trailing calls are included, then count one more
    // run with no REST polling: wait on the SDK app's own record of the final step instead.
    awsCalls.reset();
    const { ids } = await app.inngest.send({ name: app.ev("three"), data: { tag: "counted" } });
    await waitFor(() => app.rec.calls["three:counted"] === 1, { timeoutMs: 30_000, intervalMs: 5 });
    await new Promise((r) => setTimeout(r, 1500));
    const counted = awsCalls.snapshot();
    void ids;

    times.sort((a, b) => a - b);
    const median = percentile(times, 50);
    console.log(`3-step function, send → Completed on tideline dev, ${RUNS} runs (after ${WARMUP} warm-up):`);
    console.log(
      `  median ${median.toFixed(0)} ms   p95 ${percentile(times, 95).toFixed(0)} ms   min ${times[0]?.toFixed(0)} ms   max ${times[times.length - 1]?.toFixed(0)} ms`,
    );
    console.log("\nAWS API calls for one run (scope:Service.Operation):");
    printCalls(counted);
    console.log("\nFor comparison, a measured run including REST polling:");
    printCalls(lastCalls);
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
