import { CreateScheduleCommand, GetScheduleCommand, ListSchedulesCommand } from "@aws-sdk/client-scheduler";
import { beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../../infra/local/log.js";
import {
  createScheduleDriver,
  startScheduleDriver,
  zonedTimeToEpoch,
} from "../../../infra/local/scheduleDriver.js";
import { createAwsClients } from "../../../shared/adapters/aws/clients.js";
import { TimerServiceAws } from "../../../shared/adapters/aws/TimerServiceAws.js";
import type { TimerItem } from "../../../shared/domain/schemas.js";
import { QUEUES, SCHEDULER, SCHEDULES } from "../../../shared/resources.js";
import { makeTimerItem } from "../../fixtures/jobs.js";
import { randomSuffix, receiveMessages, testResources } from "../../helpers/index.js";

const clients = createAwsClients();
let env: Record<string, string>;
let group: string;

beforeAll(async () => {
  env = await testResources("scheduler");
  group = env[SCHEDULER.groupEnv] ?? "";
});

const item = (): TimerItem => makeTimerItem();

/** A TimerService whose clock runs `offsetMs` behind, so a "long" delay is due now or soon. */
function timersAt(offsetMs: number): TimerServiceAws {
  return new TimerServiceAws(
    { sqs: clients.sqs, scheduler: clients.scheduler },
    {
      timersQueueUrl: env[QUEUES.timers.env] ?? "",
      timersQueueArn: env[`${QUEUES.timers.env}_ARN`] ?? "",
      scheduleGroup: group,
      schedulerRoleArn: env[SCHEDULER.roleArnEnv] ?? "",
    },
    { now: () => Date.now() - offsetMs },
  );
}

/** One-time schedules in the group (the manifest's recurring ones are left out). */
const names = async () =>
  ((await clients.scheduler.send(new ListSchedulesCommand({ GroupName: group }))).Schedules ?? [])
    .map((s) => s.Name)
    .filter((name) => !Object.values(SCHEDULES).some((spec) => spec.id === name));

describe("local Scheduler driver", () => {
  it("fires a due at() schedule into the timers queue and deletes it, leaving future ones alone", async () => {
    const due = item();
    const dueAt = Date.now() + 60_000; // its at() is 90 s earlier, so already past
    await timersAt(20 * 60_000).schedule(due, dueAt);
    await timersAt(0).schedule(item(), Date.now() + 3600_000);
    expect(await names()).toHaveLength(2);
    const driver = startScheduleDriver({
      scheduler: clients.scheduler,
      sqs: clients.sqs,
      groupName: group,
      intervalMs: 100,
      log: silentLogger,
    });

    const [message] = await receiveMessages(clients.sqs, env[QUEUES.timers.env] ?? "", 1);
    await driver.stop();

    expect(JSON.parse(message?.Body ?? "null")).toEqual({ item: due, dueAt });
    expect(await names()).toHaveLength(1);
  });

  it("skips expressions it does not fire yet without failing the tick", async () => {
    const name = `cron-${randomSuffix()}`;
    await clients.scheduler.send(
      new CreateScheduleCommand({
        Name: name,
        GroupName: group,
        ScheduleExpression: "cron(0 12 L * ? *)", // last day of the month: not fired locally
        FlexibleTimeWindow: { Mode: "OFF" },
        Target: { Arn: env[`${QUEUES.timers.env}_ARN`], RoleArn: env[SCHEDULER.roleArnEnv], Input: "{}" },
      }),
    );
    const driver = createScheduleDriver({
      scheduler: clients.scheduler,
      sqs: clients.sqs,
      groupName: group,
      log: silentLogger,
    });

    await driver.tick();

    const s = await clients.scheduler.send(new GetScheduleCommand({ Name: name, GroupName: group }));
    expect(s.Name).toBe(name);
  });

  it("fires a recurring rate() schedule one period after its creation, and once per period", async () => {
    const sweep = SCHEDULES.recoverySweep;
    let now = Date.now() + 16 * 60_000; // past the first 15-minute period of the bootstrap's schedule
    const driver = createScheduleDriver({
      scheduler: clients.scheduler,
      sqs: clients.sqs,
      groupName: group,
      now: () => now,
      log: silentLogger,
    });

    await driver.tick();
    const [message] = await receiveMessages(clients.sqs, env[QUEUES.timers.env] ?? "", 1);
    expect(JSON.parse(message?.Body ?? "null")).toEqual({ item: sweep.item, dueAt: 0 });

    await driver.tick(); // the same instant: not due again
    now += 15 * 60_000;
    await driver.tick();
    const more = await receiveMessages(clients.sqs, env[QUEUES.timers.env] ?? "", 1);
    expect(more).toHaveLength(1);
    // A recurring schedule stays after firing (ActionAfterCompletion applies to one-time ones).
    const kept = await clients.scheduler.send(new GetScheduleCommand({ Name: sweep.id, GroupName: group }));
    expect(kept.ScheduleExpression).toBe(sweep.expression);
  });

  it("reads at() times in the schedule's own time zone", () => {
    expect(zonedTimeToEpoch("2030-01-01T12:00:00", "UTC")).toBe(Date.UTC(2030, 0, 1, 12));
    expect(zonedTimeToEpoch("2030-01-01T12:00:00", "Europe/Paris")).toBe(Date.UTC(2030, 0, 1, 11));
    expect(zonedTimeToEpoch("2030-07-01T12:00:00", "America/New_York")).toBe(Date.UTC(2030, 6, 1, 16));
  });
});
