/** Part c of the flow-control bench: a throttle's start rate against the GCRA schedule. */
import { awsCalls } from "../../../shared/adapters/aws/callCounter.js";
import { listRuns } from "./api.js";
import type { Bench } from "./setup.js";
import {
  BUDGET,
  clock,
  fmt,
  sleep,
  sorted,
  summary,
  THROTTLE,
  THROTTLE_BURSTS,
  THROTTLE_RUNS,
} from "./shared.js";

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

export async function throttleRate(b: Bench): Promise<void> {
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
