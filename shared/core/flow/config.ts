/**
 * A function's flow control, read from its synced config with the same schemas that validated it
 * at sync (protocol/flowOptions.ts): durations in ms, defaults applied. Options that fail to
 * parse (a function synced before they were checked) count as absent.
 */

import * as z from "zod";
import type { FunctionRecord } from "../../domain/schemas.js";
import {
  batchEventsSchema,
  debounceSchema,
  FLOW_LIMITS,
  idempotencySchema,
  prioritySchema,
  rateLimitSchema,
  singletonSchema,
  throttleSchema,
} from "../../protocol/flowOptions.js";

export type ConcurrencyScope = "fn" | "env" | "account";

export interface ConcurrencyLimit {
  limit: number;
  key?: string;
  scope: ConcurrencyScope;
}

export interface FlowConfig {
  /** Step concurrency limits (SEMANTICS 4): at most two; limit 0 means none. */
  concurrency: ConcurrencyLimit[];
  throttle?: { limit: number; periodMs: number; burst: number; key?: string };
  /** Rate limit; `idempotency` becomes a 1-per-24h one and replaces it (SEMANTICS 5.6). */
  rateLimit?: { limit: number; periodMs: number; key?: string; idempotency?: true };
  debounce?: { periodMs: number; key?: string; timeoutMs?: number };
  batch?: { maxSize: number; timeoutMs: number; key?: string; if?: string };
  priority?: { run: string };
  singleton?: { key?: string; mode: "skip" | "cancel" };
}

const concurrencyItem = z.union([
  z.number().int().min(0),
  z.object({
    limit: z.number().int().min(0),
    key: z.string().nullish(),
    scope: z.enum(["fn", "env", "account"]).nullish(),
  }),
]);

function parsed<T extends z.ZodType>(schema: T, value: unknown): z.output<T> | undefined {
  if (value === undefined || value === null) return undefined;
  const r = schema.safeParse(value);
  return r.success ? r.data : undefined;
}

function concurrencyOf(value: unknown): ConcurrencyLimit[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  const out: ConcurrencyLimit[] = [];
  for (const item of items) {
    const c = parsed(concurrencyItem, item);
    if (c === undefined) continue;
    const { limit, key, scope } = typeof c === "number" ? { limit: c, key: undefined, scope: undefined } : c;
    if (limit <= 0) continue; // 0 = no limit of its own
    out.push({ limit, scope: scope ?? "fn", ...(key ? { key } : {}) });
  }
  return out;
}

const cache = new WeakMap<object, FlowConfig>();

/** The function's flow control (memoized per synced config object). */
export function flowConfig(fn: Pick<FunctionRecord, "config">): FlowConfig {
  const known = cache.get(fn.config);
  if (known) return known;
  const c = fn.config;
  const flow: FlowConfig = { concurrency: concurrencyOf(c.concurrency) };
  const throttle = parsed(throttleSchema, c.throttle);
  if (throttle) {
    flow.throttle = {
      limit: throttle.limit,
      periodMs: throttle.period,
      burst: throttle.burst ?? 0,
      ...(throttle.key ? { key: throttle.key } : {}),
    };
  }
  const rateLimit = parsed(rateLimitSchema, c.rateLimit);
  if (rateLimit) {
    flow.rateLimit = {
      limit: rateLimit.limit,
      periodMs: rateLimit.period,
      ...(rateLimit.key ? { key: rateLimit.key } : {}),
    };
  }
  const idempotency = parsed(idempotencySchema, c.idempotency);
  if (idempotency) {
    flow.rateLimit = {
      limit: 1,
      periodMs: FLOW_LIMITS.idempotencyPeriodMs,
      key: idempotency,
      idempotency: true,
    };
  }
  const debounce = parsed(debounceSchema, c.debounce);
  if (debounce) {
    flow.debounce = {
      periodMs: debounce.period,
      ...(debounce.key ? { key: debounce.key } : {}),
      ...(debounce.timeout ? { timeoutMs: debounce.timeout } : {}),
    };
  }
  const batch = parsed(batchEventsSchema, c.batchEvents);
  if (batch) {
    flow.batch = {
      maxSize: batch.maxSize,
      timeoutMs: batch.timeout,
      ...(batch.key ? { key: batch.key } : {}),
      ...(batch.if ? { if: batch.if } : {}),
    };
  }
  const priority = parsed(prioritySchema, c.priority);
  if (priority?.run) flow.priority = { run: priority.run };
  const singleton = parsed(singletonSchema, c.singleton);
  if (singleton) flow.singleton = { mode: singleton.mode, ...(singleton.key ? { key: singleton.key } : {}) };
  cache.set(fn.config, flow);
  return flow;
}
