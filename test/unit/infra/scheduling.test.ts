/**
 * How Scheduler retries a recurring schedule (infra/stack/constructs/Scheduling.ts): until the next
 * run is due, within Scheduler's bounds. Pure: stack.test.ts holds the template to it.
 */
import { describe, expect, it } from "vitest";
import { ratePeriodSeconds, recurringRetryPolicy } from "../../../infra/stack/constructs/Scheduling.js";

describe("recurringRetryPolicy", () => {
  it("retries as often as Scheduler allows (185 attempts)", () => {
    expect(recurringRetryPolicy("rate(5 minutes)").maximumRetryAttempts).toBe(185);
  });

  it("gives up when the next run is due", () => {
    expect(recurringRetryPolicy("rate(1 minute)").maximumEventAgeInSeconds).toBe(60);
    expect(recurringRetryPolicy("rate(5 minutes)").maximumEventAgeInSeconds).toBe(300);
    expect(recurringRetryPolicy("rate(24 hours)").maximumEventAgeInSeconds).toBe(86_400);
  });

  it("keeps to Scheduler's longest event age (a day) for longer periods", () => {
    expect(recurringRetryPolicy("rate(1441 minutes)").maximumEventAgeInSeconds).toBe(86_400);
    expect(recurringRetryPolicy("rate(2 days)").maximumEventAgeInSeconds).toBe(86_400);
  });
});

describe("ratePeriodSeconds", () => {
  it("reads minutes, hours and days, singular or plural, and refuses anything else", () => {
    expect(ratePeriodSeconds("rate(1 minute)")).toBe(60);
    expect(ratePeriodSeconds("rate(2 hours)")).toBe(7200);
    expect(ratePeriodSeconds("rate(3 days)")).toBe(259_200);
    expect(() => ratePeriodSeconds("cron(0 * * * ? *)")).toThrow(/expected rate/);
  });
});
