/** The pure GCRA (SEMANTICS 5.1, 5.2): slots, admissions, and the burst each limit allows. */
import { describe, expect, it } from "vitest";
import { admit, type Gcra, rateLimitGcra, reserve, throttleGcra } from "../../../../shared/core/flow/gcra.js";

const T0 = 1_000_000;

/** The slots of `n` reservations made at the same instant, from no state. */
function burstAt(g: Gcra, n: number, now = T0): number[] {
  let tat: number | undefined;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const slot = reserve(g, tat, now);
    out.push(slot.at - now);
    tat = slot.tat;
  }
  return out;
}

describe("throttle GCRA", () => {
  it("follows the docs' example: limit 2, period 6s, burst 1 starts 3 at once, then one every 3 s", () => {
    expect(burstAt(throttleGcra({ limit: 2, periodMs: 6000, burst: 1 }), 6)).toEqual([
      0, 0, 0, 3000, 6000, 9000,
    ]);
  });

  it("lets limit + burst go at once, then one per period/limit", () => {
    expect(burstAt(throttleGcra({ limit: 2, periodMs: 3000, burst: 1 }), 6)).toEqual([
      0, 0, 0, 1500, 3000, 4500,
    ]);
    expect(burstAt(throttleGcra({ limit: 1, periodMs: 1000, burst: 0 }), 3)).toEqual([0, 1000, 2000]);
  });

  it("keeps fractional intervals exact enough: limit 3 per second gives slots at whole thirds", () => {
    const slots = burstAt(throttleGcra({ limit: 3, periodMs: 1000, burst: 0 }), 7);
    expect(slots.slice(0, 3)).toEqual([0, 0, 0]);
    expect(slots[3]).toBeCloseTo(1000 / 3, 6);
    expect(slots[5]).toBeCloseTo(1000, 6);
    expect(slots[6]).toBeCloseTo(4000 / 3, 6);
  });

  it("forgets a key that drained: a TAT not after now counts as no state", () => {
    const g = throttleGcra({ limit: 2, periodMs: 2000, burst: 0 });
    expect(reserve(g, T0 - 1, T0)).toEqual(reserve(g, undefined, T0));
    expect(reserve(g, T0, T0)).toEqual({ at: T0, tat: T0 + 1000 });
  });

  it("delays an arrival while the key is saturated, and not once it has drained", () => {
    const g = throttleGcra({ limit: 1, periodMs: 1000, burst: 0 });
    const first = reserve(g, undefined, T0);
    expect(reserve(g, first.tat, T0 + 400).at).toBe(T0 + 1000);
    expect(reserve(g, first.tat, T0 + 1000).at).toBe(T0 + 1000);
    expect(reserve(g, first.tat, T0 + 1700).at).toBe(T0 + 1700);
  });
});

describe("rate limit GCRA", () => {
  it("allows floor(limit/10) + 1 at once", () => {
    expect(rateLimitGcra({ limit: 1, periodMs: 5000 }).capacity).toBe(1);
    expect(rateLimitGcra({ limit: 9, periodMs: 5000 }).capacity).toBe(1);
    expect(rateLimitGcra({ limit: 10, periodMs: 5000 }).capacity).toBe(2);
    expect(rateLimitGcra({ limit: 25, periodMs: 5000 }).capacity).toBe(3);
  });

  it("admits, refuses without moving the state, then admits one per period/limit", () => {
    const g = rateLimitGcra({ limit: 10, periodMs: 60_000 }); // 2 at once, then one per 6 s
    const a = admit(g, undefined, T0);
    if (!("tat" in a)) throw new Error("first refused");
    const b = admit(g, a.tat, T0);
    if (!("tat" in b)) throw new Error("second refused");
    expect(admit(g, b.tat, T0)).toEqual({ retryAt: T0 + 6000 });
    expect(admit(g, b.tat, T0 + 5999)).toEqual({ retryAt: T0 + 6000 });
    expect(admit(g, b.tat, T0 + 6000)).toEqual({ tat: b.tat + 6000 });
  });

  it("makes idempotency one per 24 h: limit 1, period 24h", () => {
    const day = 24 * 3600 * 1000;
    const g = rateLimitGcra({ limit: 1, periodMs: day });
    const first = admit(g, undefined, T0);
    if (!("tat" in first)) throw new Error("first refused");
    expect(admit(g, first.tat, T0 + day - 1)).toEqual({ retryAt: T0 + day });
    expect("tat" in admit(g, first.tat, T0 + day)).toBe(true);
  });
});
