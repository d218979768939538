/**
 * What flow control a new run carries (SEMANTICS 4, 5.5): the counter key and limit of each of its
 * concurrency limits, evaluated once from the triggering event, and its order among parked jobs.
 */

import type { FunctionRecord, InngestEvent, RunRecord } from "../../domain/schemas.js";
import { evaluateKey } from "../../expressions/index.js";
import { FLOW_LIMITS } from "../../protocol/flowOptions.js";
import { type ConcurrencyLimit, flowConfig } from "./config.js";
import { flowKey } from "./keys.js";

/**
 * The counter a limit counts on. A function's own limit (scope fn) is its alone; env and account
 * limits are named by the key's value only, so every function using that value shares them.
 */
export function counterKey(fnSlug: string, limit: ConcurrencyLimit, event: InngestEvent): string {
  const key = flowKey(limit.key, event);
  switch (limit.scope) {
    case "fn":
      return key ? `f:${fnSlug}:${key}` : `f:${fnSlug}`;
    case "env":
      return `e:${key}`;
    case "account":
      return `a:${key}`;
  }
}

/**
 * `priority.run` in seconds: an integer (an integral double counts), clamped to ±600; anything
 * else, or an error, is 0 (SEMANTICS 5.5).
 */
export function priorityFactor(expression: string | undefined, event: InngestEvent): number {
  if (!expression) return 0;
  const value = Number(evaluateKey(expression, { event }));
  if (!Number.isFinite(value) || !Number.isInteger(value)) return 0;
  return Math.max(-FLOW_LIMITS.priorityMaxSeconds, Math.min(FLOW_LIMITS.priorityMaxSeconds, value));
}

/**
 * The run's flow: its limits, and its score (creation time minus priority: older runs' jobs and
 * higher priorities go first). Undefined when the function has no concurrency limit: nothing of
 * it ever waits, so nothing needs ordering.
 */
export function runFlow(
  fn: Pick<FunctionRecord, "slug" | "config">,
  event: InngestEvent,
  createdAt: number,
): RunRecord["flow"] {
  const flow = flowConfig(fn);
  if (flow.concurrency.length === 0) return undefined;
  const limits = flow.concurrency.map((c) => ({ key: counterKey(fn.slug, c, event), limit: c.limit }));
  return { limits, score: createdAt - priorityFactor(flow.priority?.run, event) * 1000 };
}
