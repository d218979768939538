/**
 * `Function.configuration`: the flow-control options of the function's config as the SDK synced it
 * (PROTOCOL 3.4: `cancel`, `concurrency`, `rateLimit`, `debounce`, `throttle`, `batchEvents`,
 * `priority`, `singleton`), read leniently: an option of an unexpected shape is left out.
 */
import { isJsonObject, type Json, type JsonObject } from "../../../../domain/json.js";
import type { FunctionRecord } from "../../../../domain/schemas.js";

const str = (v: Json | undefined): string | null => (typeof v === "string" ? v : null);
const int = (v: Json | undefined): number | null => (typeof v === "number" && Number.isInteger(v) ? v : null);
const obj = (v: Json | undefined): JsonObject | null => (v !== undefined && isJsonObject(v) ? v : null);

function concurrency(value: Json | undefined) {
  const items = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return items.flatMap((item) => {
    const entry = typeof item === "number" ? { limit: item } : obj(item);
    const limit = entry ? int(entry.limit) : null;
    if (!entry || limit === null) return [];
    const scope = entry.scope === "account" ? "ACCOUNT" : entry.scope === "env" ? "ENVIRONMENT" : "FUNCTION";
    return [{ scope, limit: { value: limit, isPlanLimit: false }, key: str(entry.key) }];
  });
}

function cancellations(value: Json | undefined) {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => {
    const c = obj(item);
    const event = c ? str(c.event) : null;
    return c && event ? [{ event, timeout: str(c.timeout), condition: str(c.if) }] : [];
  });
}

/** Whether the sync set a retry count (top-level or on the step): else Tideline's default applies. */
function retriesSet(config: JsonObject): boolean {
  const steps = obj(config.steps);
  const step = steps ? (obj(steps.step) ?? obj(Object.values(steps)[0])) : null;
  const stepRetries = step ? obj(step.retries) : null;
  return (
    (config.retries !== undefined && config.retries !== null) ||
    (stepRetries !== null && stepRetries.attempts !== undefined && stepRetries.attempts !== null)
  );
}

function withPeriod(value: Json | undefined) {
  const o = obj(value);
  const period = o ? str(o.period) : null;
  return o && period !== null ? { o, period } : null;
}

export function functionConfiguration(fn: FunctionRecord) {
  const { config } = fn;
  const rate = withPeriod(config.rateLimit);
  const debounce = withPeriod(config.debounce);
  const throttle = withPeriod(config.throttle);
  const batch = obj(config.batchEvents);
  const singleton = obj(config.singleton);
  const priority = obj(config.priority);
  const rateLimit = rate ? int(rate.o.limit) : null;
  const throttleLimit = throttle ? int(throttle.o.limit) : null;
  const batchSize = batch ? int(batch.maxSize) : null;
  const batchTimeout = batch ? str(batch.timeout) : null;
  return {
    cancellations: cancellations(config.cancel),
    retries: { value: fn.retries, isDefault: !retriesSet(config) },
    priority: priority ? str(priority.run) : null,
    eventsBatch:
      batch && batchSize !== null && batchTimeout !== null
        ? { maxSize: batchSize, timeout: batchTimeout, key: str(batch.key) }
        : null,
    concurrency: concurrency(config.concurrency),
    rateLimit:
      rate && rateLimit !== null ? { limit: rateLimit, period: rate.period, key: str(rate.o.key) } : null,
    debounce: debounce ? { period: debounce.period, key: str(debounce.o.key) } : null,
    throttle:
      throttle && throttleLimit !== null
        ? {
            limit: throttleLimit,
            period: throttle.period,
            burst: int(throttle.o.burst) ?? 1,
            key: str(throttle.o.key),
          }
        : null,
    singleton:
      singleton && (singleton.mode === "skip" || singleton.mode === "cancel")
        ? { mode: singleton.mode === "skip" ? "SKIP" : "CANCEL", key: str(singleton.key) }
        : null,
  };
}

export type FunctionConfigurationView = ReturnType<typeof functionConfiguration>;
