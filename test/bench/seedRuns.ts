/**
 * Stores many runs straight into the runs table through the store the handlers use, for the
 * listing benchmarks (GraphQL and the dashboard's runs page).
 */
import { ulid } from "ulid";
import type { RunRecord } from "../../shared/domain/schemas.js";
import type { RunStore } from "../../shared/ports/index.js";

/** A valid ULID (Crockford base32) unique per `n`: the run ids the API accepts. */
export function ulidLike(n: number, seed: number): string {
  return ulid(seed * 1_000_000 + n);
}

export function benchRun(runId: string, fnSlug: string, startedAt: number, appId = "bench-app"): RunRecord {
  return {
    runId,
    fnSlug,
    appId,
    status: "Running",
    eventId: ulidLike(0, 2),
    events: [{ name: "bench/go", data: { n: 1 }, id: "e", ts: startedAt, user: {} }],
    startedAt,
    updatedAt: startedAt,
    version: 0,
    requestVersion: 1,
    stack: [],
    next: [],
  };
}

/**
 * `count` runs queued over the two hours before `now`, across `fnSlugs` in turn; a quarter of them
 * completed. Returns the seconds it took.
 */
export async function seedRuns(
  runs: RunStore,
  opts: { count: number; now: number; fnSlugs: readonly string[]; seed: number; appId?: string },
): Promise<number> {
  const t0 = performance.now();
  const CONCURRENCY = 32;
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < opts.count; i = next++) {
        const id = ulidLike(i, opts.seed);
        const fnSlug = opts.fnSlugs[i % opts.fnSlugs.length] ?? "bench-fn";
        const startedAt = opts.now - 7_200_000 + Math.floor((i * 7_200_000) / opts.count);
        await runs.createRun(benchRun(id, fnSlug, startedAt, opts.appId));
        if (i % 4 === 0) {
          await runs.commitTransition(id, 0, {
            set: { status: "Completed", endedAt: opts.now, output: i },
            at: opts.now,
          });
        }
      }
    }),
  );
  return (performance.now() - t0) / 1000;
}
