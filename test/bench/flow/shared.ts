/** Settings and small helpers shared by the parts of the flow-control bench (test/bench/flow-control.ts). */

export const PEAK_RUNS = Number(process.env.PEAK_RUNS ?? 1000);
export const PEAK_TENANTS = 20;
export const PEAK_KEY_LIMIT = 10;
export const PEAK_FN_LIMIT = 50;
/** Part a stops waiting when no step body started or ended for this long (ms). */
export const PEAK_STALL_MS = 25_000;
/** Part b's wait for the flood's runs ends when their count has not moved for this long (ms). */
export const INGEST_STALL_MS = 5_000;
/** Runs of part a's saturating variant. */
export const SAT_RUNS = Number(process.env.SAT_RUNS ?? 200);
export const FAIR_LIMIT = 5;
export const FLOOD = Number(process.env.FLOOD ?? 2000);
export const B_RUNS = Number(process.env.B_RUNS ?? 20);
/** Steps of the fairness function last this long (ms). */
export const FAIR_STEP_MS = 5;
export const THROTTLE_RUNS = Number(process.env.THROTTLE_RUNS ?? 40);
export const THROTTLE = { limit: 5, periodMs: 2000 } as const;
export const THROTTLE_BURSTS = [0, 2] as const;
/** Single runs counted per variant in part d (the median is shown). */
export const CALL_RUNS = 3;
/** Events per `inngest.send` (the Event API's PutRecords takes at most 500 records). */
export const SEND_CHUNK = 500;

/** Time budgets (ms): a part that exceeds its budget reports what it measured so far. */
export const BUDGET = {
  peak: 130_000,
  saturate: 60_000,
  bAlone: 20_000,
  bBehindIngestion: 60_000,
  ingestion: 90_000,
  bDuringDrain: 40_000,
  throttle: 40_000,
  callsRun: 30_000,
};

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** Sub-millisecond wall-clock time (step bodies that end and start in the same ms stay ordered). */
export const clock = () => performance.timeOrigin + performance.now();
export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
export const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

export function chunks<T>(xs: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(xs.length / size) }, (_, i) => xs.slice(i * size, (i + 1) * size));
}

/** The lines of the final summary, pushed by the parts (printed sorted). */
export const summary: string[] = [];
/** Events that started no run (they should all have). */
export const lostRuns: string[] = [];
