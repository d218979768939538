/**
 * The flow-control options of a function config (SEMANTICS 4-5), as the SDKs send them at sync:
 * validated here with the ranges Tideline honours, and read back (typed, durations in ms) by
 * core/flow/config.ts. One schema per option, so sync and the runtime cannot disagree.
 */

import * as z from "zod";
import { parseDurationMs } from "../domain/duration.js";
import { validateExpression } from "../expressions/index.js";

const SECOND = 1000;
const HOUR = 3600 * SECOND;
const DAY = 24 * HOUR;

/** Ranges Tideline enforces at sync (SEMANTICS 5; the batch caps are the Cloud Business plan's). */
export const FLOW_LIMITS = {
  throttlePeriodMinMs: SECOND,
  throttlePeriodMaxMs: 7 * DAY,
  rateLimitPeriodMinMs: SECOND,
  rateLimitPeriodMaxMs: DAY,
  debouncePeriodMinMs: SECOND,
  debouncePeriodMaxMs: 7 * DAY,
  batchMaxSize: 500,
  batchTimeoutMinMs: SECOND,
  batchTimeoutMaxMs: 5 * 60 * SECOND,
  /** priority.run results are clamped to this many seconds either way (SEMANTICS 5.5). */
  priorityMaxSeconds: 600,
  /** function-level idempotency is a 1-per-24h keyed rate limit (SEMANTICS 5.6). */
  idempotencyPeriodMs: DAY,
} as const;

/** Zod's type errors say "is required" / "must be a …", so formatted paths read naturally. */
export function typeError(expected: string) {
  return {
    error: (issue: { input: unknown }) => (issue.input === undefined ? "is required" : `must be ${expected}`),
  };
}

/** Absent options are absent keys in JS and stripped in Python; accept null as absent too. */
export const opt = <T extends z.ZodType>(schema: T) => schema.nullish();

const positiveInt = z.number(typeError("a number")).int("must be an integer").min(1, "must be at least 1");

/** A CEL expression over `event`, refused at sync when it does not compile. */
export const expressionString = z.string(typeError("a string")).superRefine((v, ctx) => {
  const problem = validateExpression(v);
  if (problem) ctx.addIssue({ code: "custom", message: `invalid expression: ${problem}` });
});

function durationWithin(minMs: number, maxMs: number, range: string) {
  return z.string(typeError("a duration string")).transform((v, ctx) => {
    let ms: number;
    try {
      ms = parseDurationMs(v);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: (err as Error).message });
      return z.NEVER;
    }
    if (ms < minMs || ms > maxMs) {
      ctx.addIssue({ code: "custom", message: `must be between ${range}` });
      return z.NEVER;
    }
    return ms;
  });
}

/** Any non-negative duration (debounce timeout). */
const anyDuration = z.string(typeError("a duration string")).transform((v, ctx) => {
  try {
    return parseDurationMs(v);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message });
    return z.NEVER;
  }
});

export const throttleSchema = z.object(
  {
    limit: positiveInt,
    period: durationWithin(FLOW_LIMITS.throttlePeriodMinMs, FLOW_LIMITS.throttlePeriodMaxMs, "1s and 7d"),
    burst: opt(z.number(typeError("a number")).int("must be an integer").min(0, "must not be negative")),
    key: opt(expressionString),
  },
  typeError("an object"),
);

export const rateLimitSchema = z.object(
  {
    limit: positiveInt,
    period: durationWithin(FLOW_LIMITS.rateLimitPeriodMinMs, FLOW_LIMITS.rateLimitPeriodMaxMs, "1s and 24h"),
    key: opt(expressionString),
  },
  typeError("an object"),
);

export const debounceSchema = z.object(
  {
    period: durationWithin(FLOW_LIMITS.debouncePeriodMinMs, FLOW_LIMITS.debouncePeriodMaxMs, "1s and 7d"),
    key: opt(expressionString),
    timeout: opt(anyDuration),
  },
  typeError("an object"),
);

export const batchEventsSchema = z.object(
  {
    maxSize: positiveInt.max(FLOW_LIMITS.batchMaxSize, `must be at most ${FLOW_LIMITS.batchMaxSize}`),
    timeout: durationWithin(FLOW_LIMITS.batchTimeoutMinMs, FLOW_LIMITS.batchTimeoutMaxMs, "1s and 5m"),
    key: opt(expressionString),
    if: opt(expressionString),
  },
  typeError("an object"),
);

export const prioritySchema = z.object({ run: opt(expressionString) }, typeError("an object"));

export const singletonSchema = z.object(
  {
    key: opt(expressionString),
    mode: z.enum(["skip", "cancel"], { error: 'must be "skip" or "cancel"' }),
  },
  typeError("an object"),
);

export const idempotencySchema = expressionString;
