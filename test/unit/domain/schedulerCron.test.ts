import { describe, expect, it } from "vitest";
import { nextFireAfter } from "../../../shared/domain/cron.js";
import {
  fromSchedulerCron,
  nextSchedulerCronFire,
  toSchedulerCron,
} from "../../../shared/domain/schedulerCron.js";

/** Standard cron → Scheduler expression, one row per difference between the two syntaxes. */
const TABLE: [string, string, string][] = [
  ["every minute", "* * * * *", "cron(* * * * ? *)"],
  ["a fixed time", "30 9 * * *", "cron(30 9 * * ? *)"],
  ["a minute step", "*/15 * * * *", "cron(0/15 * * * ? *)"],
  ["a step from a start", "5/10 * * * *", "cron(5/10 * * * ? *)"],
  ["a step over a range", "5-20/5 * * * *", "cron(5,10,15,20 * * * ? *)"],
  ["an hour range", "0 9-17 * * *", "cron(0 9-17 * * ? *)"],
  ["a list", "0 0,12 * * *", "cron(0 0,12 * * ? *)"],
  ["month names", "0 0 1 JAN,jul *", "cron(0 0 1 1,7 ? *)"],
  ["? as * in any field", "? ? ? ? ?", "cron(* * * * ? *)"],
  ["day of month only: dow becomes ?", "0 0 1,15 * *", "cron(0 0 1,15 * ? *)"],
  ["day-of-month step", "0 0 */2 * *", "cron(0 0 1/2 * ? *)"],
  ["day of week only: dom becomes ?", "0 9 * * MON-FRI", "cron(0 9 ? * 2-6 *)"],
  ["Sunday as 0", "0 0 * * 0", "cron(0 0 ? * 1 *)"],
  ["Sunday as 7", "0 0 * * 7", "cron(0 0 ? * 1 *)"],
  ["Saturday", "0 0 * * 6", "cron(0 0 ? * 7 *)"],
  ["weekend, numbers", "0 0 * * 6,0", "cron(0 0 ? * 1,7 *)"],
  ["a range through Sunday", "0 0 * * FRI-SUN", "cron(0 0 ? * 1,6,7 *)"],
  ["a day-of-week step (no / in Scheduler's dow)", "0 0 * * */2", "cron(0 0 ? * 1,3,5,7 *)"],
  ["both day fields, one complete: every day", "0 0 1-31 * MON", "cron(0 0 * * ? *)"],
  ["both day fields *", "0 0 * * *", "cron(0 0 * * ? *)"],
];

/** The same instants, read from both sides: the standard cron and its Scheduler form. */
function bothSides(cron: string, from: number, n = 12): [number[], number[]] {
  const scheduler = toSchedulerCron(cron);
  if (!scheduler) throw new Error(`${cron} has no Scheduler form`);
  const standard: number[] = [];
  const translated: number[] = [];
  let a = from;
  let b = from;
  for (let i = 0; i < n; i++) {
    a = nextFireAfter(cron, a);
    b = nextSchedulerCronFire(scheduler.expression, scheduler.timezone, b) ?? Number.NaN;
    standard.push(a);
    translated.push(b);
  }
  return [standard, translated];
}

describe("toSchedulerCron", () => {
  it.each(TABLE)("translates %s: %j → %j", (_what, cron, expression) => {
    expect(toSchedulerCron(cron)).toEqual({ expression, timezone: "UTC" });
  });

  it.each(TABLE)("fires at the same instants on both sides (%s)", (_what, cron) => {
    const [standard, translated] = bothSides(cron, Date.UTC(2026, 0, 1));
    expect(translated).toEqual(standard);
  });

  it("carries the TZ= zone into ScheduleExpressionTimezone", () => {
    expect(toSchedulerCron("TZ=America/New_York 0 9 * * MON")).toEqual({
      expression: "cron(0 9 ? * 2 *)",
      timezone: "America/New_York",
    });
    const [standard, translated] = bothSides("TZ=America/New_York 0 9 * * *", Date.UTC(2026, 2, 1), 14);
    expect(translated).toEqual(standard);
  });

  it.each([
    ["the 1st or Mondays", "0 0 1 * MON"],
    ["odd days or Mondays (a stepped * is a restriction)", "0 0 */2 * MON"],
    ["the 13th or Fridays", "0 0 13 * 5"],
  ])("has no Scheduler form when both day fields restrict (OR rule): %s", (_what, cron) => {
    expect(toSchedulerCron(cron)).toBeUndefined();
  });

  it("has no Scheduler form for an invalid cron", () => {
    expect(toSchedulerCron("99 99 99 99 99")).toBeUndefined();
  });
});

describe("fromSchedulerCron", () => {
  it.each([
    ["cron(0 9 ? * 2-6 *)", "0 9 * * 1-5"],
    ["cron(0 0 ? * 1,7 *)", "0 0 * * 0,6"],
    ["cron(0 0 ? * SUN *)", "0 0 * * SUN"],
    ["cron(0/15 * * * ? *)", "0/15 * * * *"],
    ["cron(0 0 1,15 * ? *)", "0 0 1,15 * *"],
  ])("reads %j as the standard %j", (expression, standard) => {
    expect(fromSchedulerCron(expression)).toBe(standard);
  });

  it("prefixes a zone other than UTC", () => {
    expect(fromSchedulerCron("cron(0 9 * * ? *)", "Europe/Paris")).toBe("TZ=Europe/Paris 0 9 * * *");
  });

  it.each([
    ["a year", "cron(0 0 * * ? 2030)"],
    ["L in day of month", "cron(0 0 L * ? *)"],
    ["W in day of month", "cron(0 0 15W * ? *)"],
    ["# in day of week", "cron(0 0 ? * 2#1 *)"],
    ["L in day of week", "cron(0 0 ? * 6L *)"],
    ["? in both day fields", "cron(0 0 ? * ? *)"],
    ["? in neither day field", "cron(0 0 1 * MON *)"],
    ["five fields", "cron(0 0 * * ?)"],
    ["an at() expression", "at(2030-01-01T00:00:00)"],
  ])("does not read %s", (_what, expression) => {
    expect(fromSchedulerCron(expression)).toBeUndefined();
  });
});
