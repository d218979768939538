import { GetScheduleCommand, ListSchedulesCommand } from "@aws-sdk/client-scheduler";
import { beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../../infra/local/log.js";
import { createScheduleDriver } from "../../../infra/local/scheduleDriver.js";
import { createAwsClients } from "../../../shared/adapters/aws/clients.js";
import {
  cronScheduleName,
  SchedulerCronSchedules,
} from "../../../shared/adapters/aws/SchedulerCronSchedules.js";
import { toSchedulerCron } from "../../../shared/domain/schedulerCron.js";
import { type TimerMessage, timerMessageSchema } from "../../../shared/domain/schemas.js";
import type { CronSchedule } from "../../../shared/ports/index.js";
import { QUEUES, SCHEDULER } from "../../../shared/resources.js";
import { randomSuffix, receiveMessages, testResources, waitFor } from "../../helpers/index.js";

const clients = createAwsClients();
let env: Record<string, string>;
let group: string;
let schedules: SchedulerCronSchedules;

beforeAll(async () => {
  env = await testResources("cron-schedules");
  group = env[SCHEDULER.groupEnv] ?? "";
  schedules = new SchedulerCronSchedules(clients.scheduler, {
    scheduleGroup: group,
    schedulerRoleArn: env[SCHEDULER.roleArnEnv] ?? "",
    timersQueueArn: env[`${QUEUES.timers.env}_ARN`] ?? "",
    deadLetterArn: env[`${QUEUES.timersDlq.env}_ARN`] ?? "",
  });
});

/** The Scheduler form of a cron, as the sync gives it to the adapter. */
function schedule(cron: string): CronSchedule {
  const s = toSchedulerCron(cron);
  if (!s) throw new Error(`${cron} has no Scheduler form`);
  return { cron, ...s };
}

const get = (fnSlug: string, cron: string) =>
  clients.scheduler.send(new GetScheduleCommand({ Name: cronScheduleName(fnSlug, cron), GroupName: group }));

async function namesInGroup(): Promise<string[]> {
  const res = await clients.scheduler.send(new ListSchedulesCommand({ GroupName: group }));
  return (res.Schedules ?? []).flatMap((s) => (s.Name ? [s.Name] : [])).sort();
}

describe("SchedulerCronSchedules", () => {
  it("creates one cron() schedule per cron, in its zone, aimed at the timers queue with the tick", async () => {
    const fn = `app-${randomSuffix()}-fn`;
    await schedules.sync(fn, [schedule("*/5 * * * *"), schedule("TZ=Europe/Paris 0 9 * * MON-FRI")]);

    const every5 = await get(fn, "*/5 * * * *");
    expect(every5.ScheduleExpression).toBe("cron(0/5 * * * ? *)");
    expect(every5.ScheduleExpressionTimezone).toBe("UTC");
    expect(every5.Target?.Arn).toBe(env[`${QUEUES.timers.env}_ARN`]);
    expect(every5.Target?.RoleArn).toBe(env[SCHEDULER.roleArnEnv]);
    // A tick undelivered for an hour goes to the timers DLQ instead of landing on the next one.
    expect(every5.Target?.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 185 });
    expect(every5.Target?.DeadLetterConfig?.Arn).toBe(env[`${QUEUES.timersDlq.env}_ARN`]);
    expect(JSON.parse(every5.Target?.Input ?? "null")).toEqual({
      item: { kind: "cron", fnSlug: fn, cron: "*/5 * * * *", scheduledAt: "<aws.scheduler.scheduled-time>" },
      dueAt: 0,
    });
    const paris = await get(fn, "TZ=Europe/Paris 0 9 * * MON-FRI");
    expect(paris.ScheduleExpression).toBe("cron(0 9 ? * 2-6 *)");
    expect(paris.ScheduleExpressionTimezone).toBe("Europe/Paris");
  });

  it("replaces a schedule whose definition changed, and syncing the same set twice changes nothing else", async () => {
    const fn = `app-${randomSuffix()}-fn`;
    const cron = "0 * * * *";
    await schedules.sync(fn, [{ ...schedule(cron), expression: "cron(30 * * * ? *)" }]);
    await schedules.sync(fn, [schedule(cron)]);
    await schedules.sync(fn, [schedule(cron)]);

    expect((await get(fn, cron)).ScheduleExpression).toBe("cron(0 * * * ? *)");
    expect((await namesInGroup()).filter((n) => n === cronScheduleName(fn, cron))).toHaveLength(1);
  });

  it("deletes the crons a sync dropped, and every schedule of a removed function, leaving others", async () => {
    const fn = `app-${randomSuffix()}-fn`;
    const other = `app-${randomSuffix()}-other`;
    await schedules.sync(fn, [schedule("0 * * * *"), schedule("30 * * * *")]);
    await schedules.sync(other, [schedule("0 * * * *")]);

    await schedules.sync(fn, [schedule("30 * * * *")]);
    let names = await namesInGroup();
    expect(names).not.toContain(cronScheduleName(fn, "0 * * * *"));
    expect(names).toContain(cronScheduleName(fn, "30 * * * *"));

    await schedules.sync(fn, []);
    names = await namesInGroup();
    expect(names).not.toContain(cronScheduleName(fn, "30 * * * *"));
    expect(names).toContain(cronScheduleName(other, "0 * * * *"));
  });

  it("keeps schedule names within Scheduler's 64 characters of [0-9a-zA-Z-_.]", () => {
    const name = cronScheduleName(
      `a-very-long-app-name-${"x".repeat(200)}`,
      `TZ=America/New_York ${"1,".repeat(100)}1 * * * *`,
    );
    expect(name.length).toBeLessThanOrEqual(64);
    expect(name).toMatch(/^[0-9a-zA-Z\-_.]+$/);
  });
});

/** Timer messages of `fn`'s ticks off the timers queue until `count` have come (others skipped). */
async function ticksOf(fn: string, count: number): Promise<TimerMessage[]> {
  const mine: TimerMessage[] = [];
  await waitFor(
    async () => {
      for (const m of await receiveMessages(clients.sqs, env[QUEUES.timers.env] ?? "", 1)) {
        const message = timerMessageSchema.parse(JSON.parse(m.Body ?? "null"));
        if (message.item.kind === "cron" && message.item.fnSlug === fn) mine.push(message);
      }
      return mine.length >= count;
    },
    { timeoutMs: 15_000, what: `${count} tick(s) of ${fn}` },
  );
  return mine;
}

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

describe("local Scheduler driver: cron()", () => {
  it("fires a cron() schedule at each minute with Scheduler's scheduled time filled in, once per minute", async () => {
    const fn = `app-${randomSuffix()}-fn`;
    await schedules.sync(fn, [schedule("* * * * *")]);
    let now = Date.now();
    const driver = createScheduleDriver({
      scheduler: clients.scheduler,
      sqs: clients.sqs,
      groupName: group,
      now: () => now,
      log: silentLogger,
    });
    await driver.tick(); // reads it; its first minute is still ahead

    const minute = Math.floor(now / 60_000) * 60_000 + 60_000;
    now = minute + 500;
    await driver.tick();
    await driver.tick(); // the same minute: not again
    now = minute + 60_000 + 200;
    await driver.tick();

    const tick = (at: number) => ({
      item: { kind: "cron", fnSlug: fn, cron: "* * * * *", scheduledAt: rfc3339(at) },
      dueAt: 0,
    });
    expect(await ticksOf(fn, 2)).toEqual([tick(minute), tick(minute + 60_000)]);
  });
});
