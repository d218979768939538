/**
 * When the runs table's items expire (DynamoDB TTL, epoch seconds). A run must never be expired
 * under itself: it can sleep or wait up to a year between two jobs, and a long run lives through
 * many such gaps. So:
 * - a Running run and its step results are kept at least a whole horizon (the longest gap between
 *   two jobs of a run, plus a day for late timers) past the last time a job read them, and past the
 *   latest job it has scheduled; every read of a Running run's state renews what would lapse
 *   sooner (`needsRenewal`), so a run that keeps going keeps its state;
 * - a run that has ended is kept for the retention after it ended;
 * - step results are written with the horizon added, because a blind append cannot know how long
 *   its run will go on. Once the run record has expired they are unreachable, and TTL removes them
 *   when their own time comes.
 */
import { STATE_HORIZON_DAYS } from "../../resources.js";
import { ttlSeconds } from "./dynamo.js";

/** The longest a Running run goes without a job reading its state (shared/resources.ts). */
export const STATE_HORIZON_MS = STATE_HORIZON_DAYS * 24 * 60 * 60 * 1000;

/**
 * Expiry of a Running run's items: a horizon plus the retention past `untilMs`, the last time a
 * job wrote or read them, or the latest job the run has scheduled when that is later (runItems.ts
 * `lastDueAt`: an event with a future `ts` schedules its run's first job years ahead).
 */
export function runningExpiry(untilMs: number, retentionSeconds: number): number {
  return ttlSeconds(untilMs + STATE_HORIZON_MS) + retentionSeconds;
}

/** Expiry of an ended run's record: the retention after it ended. */
export function endedExpiry(endedAtMs: number, retentionSeconds: number): number {
  return ttlSeconds(endedAtMs) + retentionSeconds;
}

/** True when an item of a Running run read at `nowMs` could lapse before the run's next read. */
export function needsRenewal(expiresAt: unknown, nowMs: number): boolean {
  return typeof expiresAt === "number" && expiresAt < ttlSeconds(nowMs + STATE_HORIZON_MS);
}
