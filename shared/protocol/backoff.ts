/** Retry timing (SEMANTICS 3): the official backoff table and the SDK's Retry-After header. */

import { parseIsoInstant } from "../domain/duration.js";
import { LIMITS } from "./constants.js";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Go `TableBackoff`: delay after the failure of zero-based attempt i (the last entry repeats). */
export const BACKOFF_TABLE_MS: readonly number[] = [
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  20 * MINUTE,
  40 * MINUTE,
  HOUR,
  2 * HOUR,
];

/** Uniform jitter added to every table delay: [0, 30 s), millisecond granularity. */
export const BACKOFF_JITTER_MS = 30 * SECOND;

/**
 * Delay before the next attempt. `failureCount` is the zero-based attempt that just failed (the
 * number of failures before it), so the first retry waits 15 s and index ≥ 9 waits 2 h.
 * `fixedIntervalSeconds` replaces the table and jitter (self-host `--retry-interval`).
 */
export function retryDelayMs(
  failureCount: number,
  random: () => number,
  fixedIntervalSeconds?: number,
): number {
  if (fixedIntervalSeconds !== undefined) return Math.max(0, fixedIntervalSeconds) * SECOND;
  const last = BACKOFF_TABLE_MS.length - 1;
  const index = Math.min(Math.max(0, Math.floor(failureCount) || 0), last);
  const base = BACKOFF_TABLE_MS[index] ?? BACKOFF_TABLE_MS[last] ?? 0;
  const r = Math.min(Math.max(random(), 0), 1 - Number.EPSILON);
  return base + Math.floor(r * BACKOFF_JITTER_MS);
}

/**
 * Absolute epoch ms of the next attempt from a `retry-after` value: integer seconds when it is
 * at most 7 characters (as in Go), else a date (ISO-8601 or HTTP-date). Clamped to
 * [now + 1 s, now + 24 h]. Undefined when absent or unparseable.
 */
export function parseRetryAfter(header: string | null | undefined, nowMs: number): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  let at: number | undefined;
  if (value.length <= 7 && /^[+-]?\d+$/.test(value)) {
    at = nowMs + Number(value) * SECOND;
  } else {
    // ISO first (offset-less = UTC, as in Go); HTTP-dates ("Wed, 21 Oct 2015 07:28:00 GMT") need a
    // letter, which keeps Date.parse from reading bare numbers as years.
    at = parseIsoInstant(value);
    if (at === undefined && /[a-z]/i.test(value)) {
      const parsed = Date.parse(value);
      if (!Number.isNaN(parsed)) at = parsed;
    }
  }
  if (at === undefined) return undefined;
  return Math.min(Math.max(at, nowMs + LIMITS.retryAfterMinMs), nowMs + LIMITS.retryAfterMaxMs);
}
