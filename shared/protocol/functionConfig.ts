/**
 * One entry of `functions[]` in a sync (PROTOCOL 3.4), validated like the Go server does at sync.
 * Every option is checked with the ranges Tideline honours; an option Tideline does not know is
 * refused with a 400 naming it, never silently ignored.
 */

import * as z from "zod";
import { cronProblem } from "../domain/cron.js";
import { parseDurationMs } from "../domain/duration.js";
import { wildcardProblem } from "../domain/triggers.js";
import { validateExpression } from "../expressions/index.js";
import { LIMITS } from "./constants.js";
import {
  batchEventsSchema,
  debounceSchema,
  expressionString,
  idempotencySchema,
  opt,
  prioritySchema,
  rateLimitSchema,
  singletonSchema,
  throttleSchema,
  typeError,
} from "./flowOptions.js";

const requiredString = () => z.string(typeError("a string")).min(1, "must not be empty");

const count = z.number(typeError("a number")).int("must be an integer").min(0, "must not be negative");

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}

export const httpUrlSchema = z.string(typeError("a string")).refine(isHttpUrl, "must be an http(s) URL");

/**
 * Why a cron trigger is refused at sync (5 fields with an optional `TZ=`/`CRON_TZ=` zone; each
 * field's values in range, named in the reason), or undefined when it is valid (domain/cron.ts).
 */
export { cronProblem };

const triggerSchema = z
  .object(
    {
      event: opt(
        requiredString().max(
          LIMITS.triggerEventNameMaxLength,
          `must be at most ${LIMITS.triggerEventNameMaxLength} characters`,
        ),
      ),
      expression: opt(z.string(typeError("a string"))),
      cron: opt(
        requiredString().max(LIMITS.cronMaxLength, `must be at most ${LIMITS.cronMaxLength} characters`),
      ),
      jitter: opt(z.string(typeError("a string"))),
    },
    typeError("an object"),
  )
  .superRefine((t, ctx) => {
    if (t.event == null && t.cron == null) {
      ctx.addIssue({ code: "custom", message: "needs an event or a cron" });
    }
    if (t.event != null && t.cron != null) {
      ctx.addIssue({ code: "custom", message: "must have an event or a cron, not both" });
    }
    if (typeof t.event === "string") {
      const problem = wildcardProblem(t.event);
      if (problem) ctx.addIssue({ code: "custom", message: problem, path: ["event"] });
    }
    if (typeof t.expression === "string" && t.expression !== "") {
      const problem = validateExpression(t.expression);
      if (problem) ctx.addIssue({ code: "custom", message: problem, path: ["expression"] });
    }
    if (typeof t.cron === "string" && t.cron !== "") {
      const problem = cronProblem(t.cron);
      if (problem) ctx.addIssue({ code: "custom", message: problem, path: ["cron"] });
    }
    if (typeof t.jitter === "string" && t.jitter !== "") {
      let ms: number | undefined;
      try {
        ms = parseDurationMs(t.jitter);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: (err as Error).message, path: ["jitter"] });
      }
      if (ms !== undefined && (ms < LIMITS.cronJitterMinMs || ms > LIMITS.cronJitterMaxMs)) {
        ctx.addIssue({ code: "custom", message: "must be between 1s and 5m", path: ["jitter"] });
      }
    }
  });

const stepSchema = z.object(
  {
    id: opt(z.string(typeError("a string"))),
    name: opt(z.string(typeError("a string"))),
    runtime: z.object(
      { type: opt(z.string(typeError("a string"))), url: httpUrlSchema },
      typeError("an object"),
    ),
    retries: opt(z.object({ attempts: opt(count) }, typeError("an object"))),
  },
  typeError("an object"),
);

const concurrencyLimit = count.max(
  LIMITS.concurrencyLimitMax,
  `must be at most ${LIMITS.concurrencyLimitMax} (leases live in one DynamoDB item per key)`,
);

const concurrencyObject = z
  .object(
    {
      limit: concurrencyLimit,
      key: opt(expressionString),
      scope: opt(z.enum(["fn", "env", "account"], { error: 'must be "fn", "env" or "account"' })),
    },
    typeError("a number or an object"),
  )
  .superRefine((c, ctx) => {
    // A shared (env/account) limit is a "virtual queue" named by its key (SEMANTICS 4).
    if ((c.scope === "env" || c.scope === "account") && !c.key) {
      ctx.addIssue({ code: "custom", message: `scope "${c.scope}" needs a key`, path: ["key"] });
    }
  });

const concurrencyItem = z.union([concurrencyLimit, concurrencyObject], {
  error: "must be a non-negative integer or {limit, key?, scope?}",
});

/** A duration string as the SDKs send them ("30s", "1h30m"): refused at sync when unparseable. */
const durationString = z.string(typeError("a string")).superRefine((v, ctx) => {
  try {
    parseDurationMs(v);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message });
  }
});

const cancelSchema = z.object(
  {
    event: requiredString(),
    if: opt(expressionString),
    timeout: opt(durationString),
  },
  typeError("an object"),
);

const timeoutsSchema = z.object(
  { start: opt(durationString), finish: opt(durationString) },
  typeError("an object"),
);

/** Trigger identity for the duplicate check: same event and expression, or same cron. */
function triggerKey(t: { event?: string | null; expression?: string | null; cron?: string | null }): string {
  return t.event != null ? `event:${t.event}\u0000${t.expression ?? ""}` : `cron:${t.cron ?? ""}`;
}

/** Every option of the official SDKs' function config: each honoured, or refused in the checks below. */
const functionFields = {
  id: requiredString(),
  name: requiredString(),
  triggers: opt(
    z
      .array(triggerSchema, typeError("an array"))
      .max(LIMITS.maxTriggers, `must have at most ${LIMITS.maxTriggers} triggers`),
  ),
  steps: z.record(z.string(), stepSchema, typeError("an object")),
  // Go and Python SDKs may send a top-level retries count (or {attempts}).
  retries: z.preprocess(
    (v) => (typeof v === "object" && v !== null && "attempts" in v ? v.attempts : v),
    opt(count),
  ),
  concurrency: z.unknown().optional(),
  cancel: opt(
    z
      .array(cancelSchema, typeError("an array"))
      .max(LIMITS.maxCancel, `must have at most ${LIMITS.maxCancel} entries`),
  ),
  timeouts: opt(timeoutsSchema),
  throttle: opt(throttleSchema),
  rateLimit: opt(rateLimitSchema),
  idempotency: opt(idempotencySchema),
  debounce: opt(debounceSchema),
  batchEvents: opt(batchEventsSchema),
  priority: opt(prioritySchema),
  singleton: opt(singletonSchema),
};

/** Any other key with a value is refused by name: Tideline never accepts a setting it ignores. */
const KNOWN_OPTIONS = new Set(Object.keys(functionFields));

export const functionConfigSchema = z
  .object(functionFields, typeError("an object"))
  .catchall(z.unknown())
  .superRefine((fn, ctx) => {
    for (const [key, value] of Object.entries(fn)) {
      if (!KNOWN_OPTIONS.has(key) && value !== null && value !== undefined) {
        ctx.addIssue({ code: "custom", message: "is not an option Tideline supports", path: [key] });
      }
    }
    if (fn.batchEvents) {
      // SEMANTICS 5.3, 5.4: a batch is one run of many events, so per-run options keyed on one
      // event have nothing to apply to.
      const exclusive = {
        debounce: fn.debounce,
        cancel: fn.cancel?.length,
        singleton: fn.singleton,
        "priority.run": fn.priority?.run,
      };
      for (const [option, value] of Object.entries(exclusive)) {
        if (!value) continue;
        const message = "cannot be combined with batchEvents (a batch is one run of many events)";
        ctx.addIssue({ code: "custom", message, path: option.split(".") });
      }
    }
    const seen = new Set<string>();
    for (const [i, t] of (fn.triggers ?? []).entries()) {
      const key = triggerKey(t);
      if (seen.has(key)) {
        ctx.addIssue({ code: "custom", message: "duplicate trigger", path: ["triggers", i] });
      }
      seen.add(key);
    }
    if (Object.keys(fn.steps).length === 0) {
      ctx.addIssue({ code: "custom", message: "must contain the step entry", path: ["steps"] });
    }
    checkConcurrency(fn.concurrency, ctx);
  });

function checkConcurrency(value: unknown, ctx: z.RefinementCtx): void {
  if (value === undefined || value === null) return;
  const items = Array.isArray(value) ? value : [value];
  if (Array.isArray(value) && value.length > LIMITS.maxConcurrency) {
    ctx.addIssue({
      code: "custom",
      message: `must have at most ${LIMITS.maxConcurrency} entries`,
      path: ["concurrency"],
    });
  }
  for (const [i, item] of items.entries()) {
    const parsed = concurrencyItem.safeParse(item);
    if (parsed.success) continue;
    const base = Array.isArray(value) ? ["concurrency", i] : ["concurrency"];
    for (const issue of parsed.error.issues) {
      ctx.addIssue({ code: "custom", message: issue.message, path: [...base, ...issue.path.map(pathKey)] });
    }
  }
}

function pathKey(key: PropertyKey): string | number {
  return typeof key === "number" ? key : String(key);
}

export type FunctionConfigInput = z.output<typeof functionConfigSchema>;

/** `functions[1].triggers[0].event` from a zod path. */
export function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const key of path)
    out += typeof key === "number" ? `[${key}]` : out === "" ? String(key) : `.${String(key)}`;
  return out;
}
