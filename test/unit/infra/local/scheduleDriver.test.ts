import type { GetScheduleCommandOutput } from "@aws-sdk/client-scheduler";
import { afterEach, describe, expect, it, vi } from "vitest";
import { atKind, rateKind, ratePeriodMs } from "../../../../infra/local/scheduleDriver.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const CREATED = Date.UTC(2026, 2, 1, 12, 0, 0);

function schedule(expression: string, created: number | null = CREATED): GetScheduleCommandOutput {
  return {
    $metadata: {},
    ScheduleExpression: expression,
    ...(created !== null ? { CreationDate: new Date(created) } : {}),
  };
}

describe("ratePeriodMs", () => {
  it.each([
    ["rate(1 minute)", MINUTE],
    ["rate(5 minutes)", 5 * MINUTE],
    ["rate(1 hour)", HOUR],
    ["rate(2 hours)", 2 * HOUR],
    ["rate(1 day)", DAY],
    ["rate(7 days)", 7 * DAY],
  ])("reads %s as %i ms", (expression, ms) => {
    expect(ratePeriodMs(expression)).toBe(ms);
  });

  it("tolerates whitespace around the expression", () => {
    expect(ratePeriodMs("  rate(10 minutes) ")).toBe(10 * MINUTE);
  });

  it.each([
    "rate(0 minutes)",
    "rate(0 minute)",
    "rate(-1 minutes)",
    "rate(1.5 hours)",
    "rate(1 week)",
    "rate(1 seconds)",
    "rate(5minutes)",
    "rate(five minutes)",
    "cron(0 12 * * ? *)",
    "at(2026-03-01T12:00:00)",
    "",
  ])("does not read %j as a rate", (expression) => {
    expect(ratePeriodMs(expression)).toBeUndefined();
  });
});

describe("rateKind", () => {
  it("matches rate expressions only", () => {
    expect(rateKind.matches("rate(1 minute)")).toBe(true);
    expect(rateKind.matches("rate(3 days)")).toBe(true);
    expect(rateKind.matches("rate(0 minutes)")).toBe(false);
    expect(rateKind.matches("cron(0 12 * * ? *)")).toBe(false);
    expect(rateKind.matches("at(2026-03-01T12:00:00)")).toBe(false);
  });

  it("is recurring, so ActionAfterCompletion does not apply", () => {
    expect(rateKind.oneTime).toBe(false);
  });

  it("is first due one period after the schedule was created", () => {
    expect(rateKind.nextDue(schedule("rate(5 minutes)"), undefined)).toBe(CREATED + 5 * MINUTE);
    expect(rateKind.nextDue(schedule("rate(1 hour)"), undefined)).toBe(CREATED + HOUR);
    expect(rateKind.nextDue(schedule("rate(2 days)"), undefined)).toBe(CREATED + 2 * DAY);
  });

  it("is next due one period after it last fired, not after its creation", () => {
    const fired = CREATED + 7 * MINUTE + 1234;
    expect(rateKind.nextDue(schedule("rate(5 minutes)"), fired)).toBe(fired + 5 * MINUTE);
  });

  describe("without a creation date", () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it("counts the first period from now", () => {
      const now = Date.UTC(2026, 4, 4, 4, 4, 4);
      vi.useFakeTimers({ now });
      expect(rateKind.nextDue(schedule("rate(1 minute)", null), undefined)).toBe(now + MINUTE);
    });
  });

  it("is never due for an expression that is not a rate", () => {
    expect(rateKind.nextDue(schedule("cron(0 12 * * ? *)"), undefined)).toBeUndefined();
    expect(rateKind.nextDue(schedule("rate(0 minutes)"), CREATED)).toBeUndefined();
    expect(rateKind.nextDue({ $metadata: {} }, undefined)).toBeUndefined();
  });
});

describe("atKind", () => {
  it("matches only expressions that start with at(", () => {
    expect(atKind.matches("at(2026-03-01T12:00:00)")).toBe(true);
    expect(atKind.matches("rate(5 minutes)")).toBe(false);
    expect(atKind.matches("rate(1 day)")).toBe(false);
    expect(atKind.matches("cron(0 12 * * ? *)")).toBe(false);
    expect(atKind.matches("  at(2026-03-01T12:00:00)")).toBe(false);
  });

  it("is one-time", () => {
    expect(atKind.oneTime).toBe(true);
  });

  it("is due at its wall-clock time (UTC by default) and never again once fired", () => {
    const s = schedule("at(2026-03-01T12:30:00)");
    expect(atKind.nextDue(s, undefined)).toBe(Date.UTC(2026, 2, 1, 12, 30, 0));
    expect(atKind.nextDue(s, Date.UTC(2026, 2, 1, 12, 30, 1))).toBeUndefined();
  });

  it("reads the wall-clock time in the schedule's time zone", () => {
    const s = { ...schedule("at(2026-07-01T08:00:00)"), ScheduleExpressionTimezone: "America/New_York" };
    expect(atKind.nextDue(s, undefined)).toBe(Date.UTC(2026, 6, 1, 12, 0, 0));
  });
});
