/**
 * The generic cell rate algorithm (GCRA) that throttle and rate limit share (SEMANTICS 5.1, 5.2).
 * One number per key, the theoretical arrival time (TAT): the time the key would be back to
 * empty. Each admission moves it `intervalMs` past max(TAT, now); an admission is due when the
 * TAT it leaves is at most `capacity` intervals ahead of it. So `capacity` pass at once, then one
 * every `intervalMs`. A TAT not after now is the same as no state (it can be forgotten then).
 */

export interface Gcra {
  /** Emission interval: period / limit. */
  intervalMs: number;
  /** How many pass at once from an empty state. */
  capacity: number;
}

/** Throttle: `limit + burst` start at once, then one every period/limit (SEMANTICS 5.1). */
export function throttleGcra(t: { limit: number; periodMs: number; burst: number }): Gcra {
  return { intervalMs: t.periodMs / t.limit, capacity: t.limit + t.burst };
}

/** Rate limit: burst floor(limit/10), so floor(limit/10) + 1 at once, then one every period/limit (5.2). */
export function rateLimitGcra(r: { limit: number; periodMs: number }): Gcra {
  return { intervalMs: r.periodMs / r.limit, capacity: Math.floor(r.limit / 10) + 1 };
}

/** Float noise from summing fractional intervals must not turn "due now" into "1 ms later". */
const EPSILON_MS = 1e-6;

export interface Slot {
  /** When the admitted item may go (now, or later when the key is saturated). */
  at: number;
  /** The key's TAT after admitting it. */
  tat: number;
}

/** Reserves the key's next slot: always admits, at `now` or at the first time the GCRA allows. */
export function reserve(g: Gcra, tat: number | undefined, now: number): Slot {
  const next = Math.max(tat ?? now, now) + g.intervalMs;
  const at = next - g.capacity * g.intervalMs;
  return { at: at - now > EPSILON_MS ? at : now, tat: next };
}

/** Admits now or refuses (a refusal leaves the state as it was): the rate limit's question. */
export function admit(g: Gcra, tat: number | undefined, now: number): { tat: number } | { retryAt: number } {
  const slot = reserve(g, tat, now);
  return slot.at > now ? { retryAt: slot.at } : { tat: slot.tat };
}
