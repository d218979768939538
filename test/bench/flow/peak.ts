/** Part a of the flow-control bench: peak concurrency vs limit (keyed and function-wide). */
import { type RestRun, sweep } from "../../helpers/index.js";
import { seeded } from "../../helpers/seeded.js";
import { quiet } from "../quiet.js";
import { cancelAll, countRuns, eventsWithoutRun, functionUuid, lastEnded } from "./api.js";
import type { Bench } from "./setup.js";
import {
  BUDGET,
  chunks,
  clock,
  fmt,
  lostRuns,
  PEAK_FN_LIMIT,
  PEAK_KEY_LIMIT,
  PEAK_RUNS,
  PEAK_STALL_MS,
  PEAK_TENANTS,
  SAT_RUNS,
  SEND_CHUNK,
  sleep,
  summary,
} from "./shared.js";

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

export async function peakConcurrency(b: Bench): Promise<void> {
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
