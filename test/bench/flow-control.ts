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
 * a time (see `sendEvents` in flow/setup.ts: moto loses records of concurrent PutRecords); runs that never appear
 * are listed with what the API knows of their events. TIDELINE_LOG_LEVEL=WARN shows the
 * handlers' warnings, BENCH_DEBUG=1 the throttled runs' creation, slot and start times.
 *
 * The parts live in test/bench/flow/: peak.ts (a), fairness.ts (b), throttle.ts (c), calls.ts (d);
 * setup.ts has the runtime and the apps, api.ts the runs read back, shared.ts the settings and helpers.
 */
import { availableParallelism, loadavg } from "node:os";
import { waitForFinalRun } from "../helpers/index.js";
import { callsPerRun } from "./flow/calls.js";
import { fairness } from "./flow/fairness.js";
import { peakConcurrency } from "./flow/peak.js";
import { setup } from "./flow/setup.js";
import { fmt, lostRuns, summary } from "./flow/shared.js";
import { throttleRate } from "./flow/throttle.js";
import { quiet } from "./quiet.js";

/** Which parts run (always in the order d, c, a, b, whatever the order given). */
const PARTS = new Set((process.env.PARTS ?? "a,b,c,d").split(",").map((x) => x.trim()));

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
