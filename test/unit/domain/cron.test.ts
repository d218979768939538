import { describe, expect, it } from "vitest";
import { cronJitterMs, cronProblem, nextFireAfter, parseCron, rfc3339 } from "../../../shared/domain/cron.js";

const at = (iso: string) => Date.parse(iso);
/** The next `n` fire times after `from`, as RFC 3339 strings. */
function fires(cron: string, from: string, n = 3): string[] {
  const out: string[] = [];
  let t = at(from);
  for (let i = 0; i < n; i++) {
    t = nextFireAfter(cron, t);
    out.push(rfc3339(t));
  }
  return out;
}

describe("cron validation", () => {
  it.each([
    ["99 99 99 99 99", "minute 99 is out of range 0-59"],
    ["0 24 * * *", "hour 24 is out of range 0-23"],
    ["0 0 0 * *", "day-of-month 0 is out of range 1-31"],
    ["0 0 32 * *", "day-of-month 32 is out of range 1-31"],
    ["0 0 * 13 *", "month 13 is out of range 1-12"],
    ["0 0 * * 8", "day-of-week 8 is out of range 0-7"],
    ["0 0-70 * * *", "hour 70 is out of range 0-23"],
    ["30-10 * * * *", "minute range 30-10 starts after it ends"],
    ["*/0 * * * *", "minute step must be at least 1"],
    ["*/x * * * *", 'minute step "x" is not a number'],
    ["1/2/3 * * * *", 'minute "1/2/3" has more than one "/"'],
    ["1-2-3 * * * *", 'minute "1-2-3" has more than one "-"'],
    ["1,,2 * * * *", 'minute "1,,2" has an empty list item'],
    ["-5 * * * *", 'minute "-5" is not a number or a range'],
    ["MON * * * *", 'minute "MON" is not a number'],
    ["0 0 * FOO *", 'month "FOO" is not a number or a name (JAN-DEC)'],
    ["0 0 * * XYZ", 'day-of-week "XYZ" is not a number or a name (SUN-SAT)'],
    ["0 0 L * *", 'day-of-month "L" is not a number'],
    ["0 0 * * 1#2", 'day-of-week "1#2" is not a number or a name (SUN-SAT)'],
    ["0 0 30 2 *", "never fires: day-of-month 30 is in none of its months"],
    ["* * * *", "must have 5 fields (minute hour day-of-month month day-of-week), got 4"],
    ["0 * * * * *", "must have 5 fields (minute hour day-of-month month day-of-week), got 6"],
    ["@daily", "cron descriptors such as @daily are not supported; use 5 fields"],
    ["TZ=Mars/Olympus 0 * * * *", 'unknown time zone "Mars/Olympus"'],
    ["TZ= 0 * * * *", 'unknown time zone ""'],
    ["TZ=UTC", "must have 5 fields (minute hour day-of-month month day-of-week), got 0"],
  ])("refuses %j: %s", (cron, reason) => {
    expect(cronProblem(cron)).toBe(reason);
  });

  it.each([
    "* * * * *",
    "0 12 * * MON-FRI",
    "*/15 0-6 1,15 * ?",
    "0 0 * JAN,jul sun",
    "5/10 * * * *",
    "0 0 29 2 *",
    "0 0 30 2 MON",
    "0 0 * * 7",
    "0 0 * * FRI-SUN",
    "TZ=America/New_York 0 9 * * *",
    "CRON_TZ=Europe/Paris 0 9 * * *",
  ])("accepts %j", (cron) => {
    expect(cronProblem(cron)).toBeUndefined();
  });

  it("reads the zone from a TZ= or CRON_TZ= prefix, in its canonical spelling, UTC by default", () => {
    const zone = (cron: string) => {
      const parsed = parseCron(cron);
      return parsed.ok ? parsed.value.timezone : parsed.problem;
    };
    expect(zone("0 9 * * *")).toBe("UTC");
    expect(zone("TZ=America/New_York 0 9 * * *")).toBe("America/New_York");
    expect(zone("CRON_TZ=america/new_york 0 9 * * *")).toBe("America/New_York");
  });

  it("keeps Sunday as day 0 whether written 0, 7 or SUN, and a range ending on SUN ends on 7", () => {
    const days = (cron: string) => {
      const parsed = parseCron(cron);
      return parsed.ok ? parsed.value.daysOfWeek : parsed.problem;
    };
    expect(days("0 0 * * 0")).toEqual([0]);
    expect(days("0 0 * * 7")).toEqual([0]);
    expect(days("0 0 * * SUN")).toEqual([0]);
    expect(days("0 0 * * FRI-SUN")).toEqual([0, 5, 6]);
    expect(days("0 0 * * */2")).toEqual([0, 2, 4, 6]);
    expect(days("0 0 * * 1/2")).toEqual([1, 3, 5]);
  });
});

describe("nextFireAfter", () => {
  it("answers the first fire time strictly after the given instant", () => {
    expect(fires("0 12 * * *", "2026-01-01T12:00:00Z", 2)).toEqual([
      "2026-01-02T12:00:00Z",
      "2026-01-03T12:00:00Z",
    ]);
    expect(fires("*/15 * * * *", "2026-01-01T12:14:59.999Z", 2)).toEqual([
      "2026-01-01T12:15:00Z",
      "2026-01-01T12:30:00Z",
    ]);
  });

  it("fires when either day field matches if both are restricted (classic OR rule)", () => {
    // 2026-01-01 is a Thursday: the Mondays of January, then February 1st (a Sunday).
    expect(fires("0 0 1 * MON", "2026-01-01T00:00:00Z", 5)).toEqual([
      "2026-01-05T00:00:00Z",
      "2026-01-12T00:00:00Z",
      "2026-01-19T00:00:00Z",
      "2026-01-26T00:00:00Z",
      "2026-02-01T00:00:00Z",
    ]);
  });

  it("needs both day fields to match when either is * (or ?)", () => {
    expect(fires("0 0 * * MON", "2026-01-01T00:00:00Z", 2)).toEqual([
      "2026-01-05T00:00:00Z",
      "2026-01-12T00:00:00Z",
    ]);
    expect(fires("0 0 1,15 ? *", "2026-01-01T00:00:00Z", 2)).toEqual([
      "2026-01-15T00:00:00Z",
      "2026-02-01T00:00:00Z",
    ]);
  });

  it("treats a stepped * as a restriction, as robfig does (*/2 days OR Mondays)", () => {
    // Odd days of January 2026, or Mondays (the 12th is an even Monday).
    expect(fires("0 0 */2 * MON", "2026-01-09T00:00:00Z", 3)).toEqual([
      "2026-01-11T00:00:00Z",
      "2026-01-12T00:00:00Z",
      "2026-01-13T00:00:00Z",
    ]);
  });

  it("reads the fields in the cron's zone across a DST change (America/New_York, spring forward)", () => {
    // 09:00 EST is 14:00Z; from 2026-03-08 on, 09:00 EDT is 13:00Z.
    expect(fires("TZ=America/New_York 0 9 * * *", "2026-03-07T00:00:00Z", 3)).toEqual([
      "2026-03-07T14:00:00Z",
      "2026-03-08T13:00:00Z",
      "2026-03-09T13:00:00Z",
    ]);
  });

  it("fires a fixed time in the skipped hour once, right after the gap", () => {
    // 02:30 does not exist on 2026-03-08 in New York: it fires at 03:00 EDT (07:00Z).
    expect(fires("TZ=America/New_York 30 2 * * *", "2026-03-07T12:00:00Z", 2)).toEqual([
      "2026-03-08T07:00:00Z",
      "2026-03-09T06:30:00Z",
    ]);
  });

  it("throws for an invalid cron", () => {
    expect(() => nextFireAfter("99 * * * *", 0)).toThrow("minute 99 is out of range 0-59");
  });
});

describe("cronJitterMs", () => {
  const T = at("2026-01-01T00:00:00Z");

  it("is 0 without a jitter", () => {
    expect(cronJitterMs("app-fn", "* * * * *", T)).toBe(0);
    expect(cronJitterMs("app-fn", "* * * * *", T, "0")).toBe(0);
  });

  it("stays in [1s, jitter) for every tick", () => {
    for (let i = 0; i < 500; i++) {
      const j = cronJitterMs("app-fn", "* * * * *", T + i * 60_000, "30s");
      expect(j).toBeGreaterThanOrEqual(1000);
      expect(j).toBeLessThan(30_000);
    }
  });

  it("is the same for the same tick and differs between ticks, functions and crons", () => {
    const j = cronJitterMs("app-fn", "* * * * *", T, "5m");
    expect(cronJitterMs("app-fn", "* * * * *", T, "5m")).toBe(j);
    const others = [
      cronJitterMs("app-fn", "* * * * *", T + 60_000, "5m"),
      cronJitterMs("app-other", "* * * * *", T, "5m"),
      cronJitterMs("app-fn", "*/1 * * * *", T, "5m"),
    ];
    expect(others.every((o) => o !== j)).toBe(true);
  });

  it("is exactly 1s for a jitter of 1s (the empty range's floor)", () => {
    expect(cronJitterMs("app-fn", "* * * * *", T, "1s")).toBe(1000);
  });
});
