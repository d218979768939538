/**
 * Rate limit and function-level idempotency (SEMANTICS 5.2, 5.6), checked for each event a
 * function matches, before debounce and batching: an event over the limit starts no run (the
 * runner records a Skipped run). Idempotency is a keyed 1-per-24h rate limit (flow/config.ts).
 */

import type { AcceptedEvent, FunctionRecord } from "../../domain/schemas.js";
import { evaluateKey } from "../../expressions/index.js";
import { runIdFor } from "../runner/runId.js";
import type { RunnerDeps } from "../runner/types.js";
import { flowConfig } from "./config.js";
import { rateLimitGcra } from "./gcra.js";
import { tryAdmit } from "./gcraState.js";
import { hashKey } from "./keys.js";

export type RateLimitReason = "rateLimit" | "idempotency";

/**
 * The limit's GCRA key for this event: per function, and per hashed key value when the limit has
 * a key. "off" when the key is "false" (the limit does not apply to this event: a false or
 * missing value); "error" when the key cannot be evaluated.
 */
export function rateLimitKey(
  fnSlug: string,
  limit: { key?: string; idempotency?: true },
  event: AcceptedEvent["event"],
): string | "off" | "error" {
  const prefix = `${limit.idempotency ? "idem" : "rate"}:${fnSlug}`;
  if (!limit.key) return prefix;
  const value = evaluateKey(limit.key, { event });
  if (value === undefined) return "error";
  return value === "false" ? "off" : `${prefix}:${hashKey(value)}`;
}

/** Why the event starts no run of `fn` ("rateLimit" or "idempotency"), or undefined when it may. */
export async function rateLimit(
  deps: RunnerDeps,
  fn: FunctionRecord,
  accepted: AcceptedEvent,
): Promise<{ reason: RateLimitReason } | undefined> {
  const limit = flowConfig(fn).rateLimit;
  if (!limit) return undefined;
  const reason: RateLimitReason = limit.idempotency ? "idempotency" : "rateLimit";
  const key = rateLimitKey(fn.slug, limit, accepted.event);
  if (key === "off") return undefined;
  if (key === "error") {
    // SEMANTICS 5.2: a key that fails to evaluate fails the scheduling: no run starts.
    deps.log?.("rate limit key failed to evaluate; the event starts no run", {
      fn: fn.slug,
      eventId: accepted.internalId,
    });
    return { reason };
  }
  // A redelivered record finds the run its first delivery created and is not counted twice: a run
  // that started is found by createRun (which sends its start again), a skip stays a skip.
  const existing = await deps.runs.getRun(runIdFor(fn.slug, accepted));
  if (existing) return existing.status === "Skipped" ? { reason } : undefined;
  return (await tryAdmit(deps.gates, deps.clock, key, rateLimitGcra(limit))) ? undefined : { reason };
}
