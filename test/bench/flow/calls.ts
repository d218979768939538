/** Part d of the flow-control bench: the AWS calls of one run with and without flow control. */
import type { Inngest } from "inngest";
import { invocationStats } from "../../../infra/local/handlers.js";
import { awsCalls } from "../../../shared/adapters/aws/callCounter.js";
import { randomSuffix, waitFor, waitForFinalRun } from "../../helpers/index.js";
import { handlerCalls, quiet } from "../quiet.js";
import type { Bench } from "./setup.js";
import { BUDGET, CALL_RUNS, summary } from "./shared.js";

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

export async function callsPerRun(b: Bench): Promise<void> {
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
