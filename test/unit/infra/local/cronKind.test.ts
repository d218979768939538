import type { GetScheduleCommandOutput } from "@aws-sdk/client-scheduler";
import { describe, expect, it } from "vitest";
import { cronKind } from "../../../../infra/local/scheduleDriver.js";

const MINUTE = 60_000;
const CHANGED = Date.UTC(2026, 2, 1, 12, 0, 30);

function schedule(expression: string, timezone?: string): GetScheduleCommandOutput {
  return {
    $metadata: {},
    ScheduleExpression: expression,
    ...(timezone ? { ScheduleExpressionTimezone: timezone } : {}),
    CreationDate: new Date(CHANGED - 3600_000),
    LastModificationDate: new Date(CHANGED),
  };
}

describe("cronKind (local schedule driver)", () => {
  it("matches the cron() expressions it can evaluate, and not L, W, # or a year", () => {
    expect(cronKind.matches("cron(0 9 ? * 2-6 *)")).toBe(true);
    expect(cronKind.matches("cron(* * * * ? *)")).toBe(true);
    expect(cronKind.matches("cron(0 12 L * ? *)")).toBe(false);
    expect(cronKind.matches("cron(0 12 ? * 6#3 *)")).toBe(false);
    expect(cronKind.matches("cron(0 12 * * ? 2030)")).toBe(false);
    expect(cronKind.matches("rate(5 minutes)")).toBe(false);
    expect(cronKind.matches("at(2026-03-01T12:00:00)")).toBe(false);
  });

  it("is recurring, so ActionAfterCompletion does not apply", () => {
    expect(cronKind.oneTime).toBe(false);
  });

  it("is first due at the first time after the schedule's last change", () => {
    expect(cronKind.nextDue(schedule("cron(* * * * ? *)"), undefined, CHANGED + 1000)).toBe(
      Date.UTC(2026, 2, 1, 12, 1),
    );
  });

  it("after a firing, is due at the next time after it", () => {
    const fired = Date.UTC(2026, 2, 1, 12, 1, 0, 400);
    expect(cronKind.nextDue(schedule("cron(0/15 * * * ? *)"), fired, CHANGED)).toBe(
      Date.UTC(2026, 2, 1, 12, 15),
    );
  });

  it("does not fire ticks missed before a restarted driver saw the schedule, but one within the minute", () => {
    const seenAt = CHANGED + 3 * 60 * MINUTE + 80_000; // 15:01:50: 15:01 is within its minute
    expect(cronKind.nextDue(schedule("cron(* * * * ? *)"), undefined, seenAt)).toBe(
      Date.UTC(2026, 2, 1, 15, 1),
    );
    expect(cronKind.nextDue(schedule("cron(0 * * * ? *)"), undefined, seenAt)).toBe(
      Date.UTC(2026, 2, 1, 16, 0),
    );
  });

  it("fires a tick missed by less than a minute before the driver saw the schedule, and none older", () => {
    const tick = Date.UTC(2026, 2, 1, 15, 1);
    const everyMinute = schedule("cron(* * * * ? *)");
    expect(cronKind.nextDue(everyMinute, undefined, tick + MINUTE - 1)).toBe(tick);
    expect(cronKind.nextDue(everyMinute, undefined, tick + MINUTE)).toBe(tick + MINUTE);
  });

  it("reads the expression in the schedule's zone", () => {
    // 09:00 in Paris is 08:00Z in March (CET).
    expect(cronKind.nextDue(schedule("cron(0 9 * * ? *)", "Europe/Paris"), undefined, CHANGED)).toBe(
      Date.UTC(2026, 2, 2, 8, 0),
    );
  });
});
