/**
 * Property: throttled starts (through the stored GCRA state, as createRun reserves them) follow
 * SEMANTICS 5.1 for random configs and arrival patterns: none is dropped or early, FIFO per key,
 * never more than `limit + burst` in any window of one emission interval (period/limit), and in
 * any window of W no more than `limit + burst + ceil(W / interval) - 1` (so at most
 * `2 * limit + burst - 1` in one period: the docs' {limit 2, period 6s, burst 1} starts 3 at 0 s
 * and one at 3 s), and no start is delayed past the previous start plus one interval.
 */
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../../shared/adapters/memory/ManualClock.js";
import { MemoryGateStore } from "../../../../shared/adapters/memory/MemoryGateStore.js";
import { throttledStart } from "../../../../shared/core/flow/throttle.js";
import { makeEvent, makeFunction, T0 } from "../../../fixtures/records.js";
import { seeded as prng } from "../../../helpers/seeded.js";

interface Trial {
  limit: number;
  burst: number;
  periodMs: number;
  /** Arrival time and key of each event, in order. */
  arrivals: { at: number; key: string }[];
}

function trial(rand: () => number): Trial {
  const limit = 1 + Math.floor(rand() * 6);
  const burst = Math.floor(rand() * 5);
  const periodMs = (1 + Math.floor(rand() * 10)) * 1000;
  const interval = periodMs / limit;
  const keys = ["a", "b", "c"].slice(0, 1 + Math.floor(rand() * 3));
  const n = 1 + Math.floor(rand() * 60);
  // Bursts (no gap), short and long gaps, in a mix that changes per trial.
  const still = rand() * 0.8;
  const scale = interval * (0.2 + rand() * 3);
  let at = T0;
  const arrivals = [];
  for (let i = 0; i < n; i++) {
    if (rand() >= still) at += Math.floor(-Math.log(1 - rand()) * scale);
    arrivals.push({ at, key: keys[Math.floor(rand() * keys.length)] ?? "a" });
  }
  return { limit, burst, periodMs, arrivals };
}

/** Start times (epoch ms) of each arrival, reserved one after the other as the runner would. */
async function starts(t: Trial): Promise<number[]> {
  const clock = new ManualClock(T0);
  const deps = { gates: new MemoryGateStore(), clock };
  const fn = makeFunction("app-prop", "throttled", [], {
    config: {
      id: "throttled",
      throttle: { limit: t.limit, period: `${t.periodMs / 1000}s`, burst: t.burst, key: "event.data.k" },
    },
  });
  const out: number[] = [];
  for (const a of t.arrivals) {
    clock.set(a.at);
    const startAt = await throttledStart(deps, fn, { events: [makeEvent({ data: { k: a.key } })] });
    out.push(startAt ?? a.at);
  }
  return out;
}

/** The most starts in any half-open window [s, s + width) that begins at a start. */
function busiest(sorted: number[], width: number): number {
  let most = 0;
  let j = 0;
  for (let i = 0; i < sorted.length; i++) {
    const from = sorted[i] ?? 0;
    while (j < sorted.length && (sorted[j] ?? 0) < from + width) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

describe("throttled starts (property)", () => {
  it("are never dropped, early, out of order, over the GCRA bound or needlessly late", async () => {
    for (let seed = 1; seed <= 300; seed++) {
      const t = trial(prng(seed));
      const at = await starts(t);
      const interval = t.periodMs / t.limit;
      const capacity = t.limit + t.burst;
      const why = `seed ${seed}: ${JSON.stringify({ limit: t.limit, burst: t.burst, periodMs: t.periodMs })}`;
      expect(at, why).toHaveLength(t.arrivals.length);
      for (const key of new Set(t.arrivals.map((a) => a.key))) {
        const mine = t.arrivals.flatMap((a, i) =>
          a.key === key ? [{ arrival: a.at, start: at[i] ?? 0 }] : [],
        );
        let previous: number | undefined;
        for (const { arrival, start } of mine) {
          expect(start, why).toBeGreaterThanOrEqual(arrival);
          if (previous !== undefined) {
            expect(start, why).toBeGreaterThanOrEqual(previous); // FIFO per key
            // Delayed at most until one interval after the previous start (+1: whole ms).
            expect(start, why).toBeLessThanOrEqual(Math.max(arrival, previous + interval + 1));
          }
          previous = start;
        }
        const sorted = mine.map((m) => m.start).sort((a, b) => a - b);
        // Starts are rounded up to whole ms: a window 1 ms short of the interval absorbs that.
        expect(busiest(sorted, interval - 1), why).toBeLessThanOrEqual(capacity);
        for (const periods of [1, 2, 5]) {
          const width = periods * t.periodMs;
          expect(busiest(sorted, width), why).toBeLessThanOrEqual(capacity + Math.ceil(width / interval) - 1);
        }
      }
    }
  });

  it("starts limit + burst at once and then one per interval when everything arrives together", async () => {
    const at = await starts({
      limit: 2,
      burst: 1,
      periodMs: 3000,
      arrivals: Array.from({ length: 6 }, () => ({ at: T0, key: "a" })),
    });
    expect(at.map((s) => s - T0)).toEqual([0, 0, 0, 1500, 3000, 4500]);
  });

  it("delays nothing when arrivals are at least one interval apart", async () => {
    const at = await starts({
      limit: 4,
      burst: 0,
      periodMs: 2000,
      arrivals: Array.from({ length: 20 }, (_, i) => ({ at: T0 + i * 500, key: "a" })),
    });
    expect(at).toEqual(Array.from({ length: 20 }, (_, i) => T0 + i * 500));
  });
});
