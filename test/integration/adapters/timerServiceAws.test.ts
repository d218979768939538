import { GetScheduleCommand, ListSchedulesCommand } from "@aws-sdk/client-scheduler";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { beforeAll, describe, expect, it } from "vitest";
import { createAwsClients } from "../../../shared/adapters/aws/clients.js";
import { SCHEDULE_LEAD_MS, TimerServiceAws } from "../../../shared/adapters/aws/TimerServiceAws.js";
import type { TimerItem, TimerMessage } from "../../../shared/domain/schemas.js";
import { QUEUES, SCHEDULER } from "../../../shared/resources.js";
import { makeTimerItem } from "../../fixtures/jobs.js";
import { receiveMessages, testResources } from "../../helpers/index.js";

const clients = createAwsClients();
let env: Record<string, string>;

const item = (): TimerItem => makeTimerItem();

function service(now: () => number, maxQueueDelaySeconds?: number): TimerServiceAws {
  return new TimerServiceAws(
    { sqs: clients.sqs, scheduler: clients.scheduler },
    {
      timersQueueUrl: env[QUEUES.timers.env] ?? "",
      timersQueueArn: env[`${QUEUES.timers.env}_ARN`] ?? "",
      scheduleGroup: env[SCHEDULER.groupEnv] ?? "",
      schedulerRoleArn: env[SCHEDULER.roleArnEnv] ?? "",
      deadLetterArn: env[`${QUEUES.timersDlq.env}_ARN`] ?? "",
      ...(maxQueueDelaySeconds !== undefined ? { maxQueueDelaySeconds } : {}),
    },
    { now },
  );
}

async function schedulesInGroup() {
  const res = await clients.scheduler.send(new ListSchedulesCommand({ GroupName: env[SCHEDULER.groupEnv] }));
  return res.Schedules ?? [];
}

beforeAll(async () => {
  env = await testResources("timers");
});

describe("TimerServiceAws", () => {
  it("puts a short delay on the timers queue, invisible until the delay has passed", async () => {
    const queueUrl = env[QUEUES.timers.env] ?? "";
    const it0 = item();
    const sentAt = Date.now();

    await service(Date.now).schedule(it0, sentAt + 2500);

    const early = await clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    expect(early.Messages ?? []).toEqual([]);
    const [message] = await receiveMessages(clients.sqs, queueUrl, 1);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(1500);
    expect(JSON.parse(message?.Body ?? "null")).toEqual({
      item: it0,
      dueAt: sentAt + 2500,
    } satisfies TimerMessage);
  });

  it("creates a one-time at() schedule aimed 90 s early at the timers queue for a long delay", async () => {
    const now = Date.UTC(2030, 0, 1, 12, 0, 0);
    const dueAt = now + 3 * 3600_000 + 500;
    const it0 = item();

    await service(() => now).schedule(it0, dueAt);

    const [summary] = await schedulesInGroup();
    const s = await clients.scheduler.send(
      new GetScheduleCommand({ Name: summary?.Name, GroupName: env[SCHEDULER.groupEnv] }),
    );
    expect(s.ScheduleExpression).toBe(`at(${new Date(dueAt - SCHEDULE_LEAD_MS).toISOString().slice(0, 19)})`);
    expect(s.ScheduleExpression).toBe("at(2030-01-01T14:58:30)");
    expect(s.ScheduleExpressionTimezone).toBe("UTC");
    expect(s.FlexibleTimeWindow?.Mode).toBe("OFF");
    expect(s.ActionAfterCompletion).toBe("DELETE");
    expect(s.Target?.Arn).toBe(env[`${QUEUES.timers.env}_ARN`]);
    expect(s.Target?.RoleArn).toBe(env[SCHEDULER.roleArnEnv]);
    expect(JSON.parse(s.Target?.Input ?? "null")).toEqual({ item: it0, dueAt });
    // Retried for a day, then kept on the timers DLQ (redrive delivers it late, not never).
    expect(s.Target?.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 });
    expect(s.Target?.DeadLetterConfig?.Arn).toBe(env[`${QUEUES.timersDlq.env}_ARN`]);
    expect(summary?.Name).toMatch(/^[0-9a-zA-Z_.-]{1,64}$/);
  });

  it("makes one schedule when the same item is scheduled twice for the same time", async () => {
    const now = Date.now();
    const it0 = item();
    const before = (await schedulesInGroup()).length;

    await service(() => now).schedule(it0, now + 7200_000);
    await service(() => now).schedule(it0, now + 7200_000);

    expect((await schedulesInGroup()).length).toBe(before + 1);
  });

  it("uses the queue up to exactly 15 minutes and Scheduler beyond", async () => {
    const now = Date.now();
    const before = (await schedulesInGroup()).length;

    await service(() => now).schedule(item(), now + 900_000);

    expect((await schedulesInGroup()).length).toBe(before);
    await service(() => now).schedule(item(), now + 900_001);
    expect((await schedulesInGroup()).length).toBe(before + 1);
  });

  it("with a shortened queue hop, aims the schedule one hop early and keeps shorter delays on the queue", async () => {
    const now = Date.UTC(2031, 5, 1, 8, 0, 0);
    const before = new Set((await schedulesInGroup()).map((x) => x.Name));
    const waitTimeout: TimerItem = {
      kind: "pauseTimeout",
      runId: "01RUNHOP",
      pause: {
        pauseId: "01RUNHOP:w",
        partition: "EVT#a/b",
        kind: "wait",
        stepId: "w",
        createdAt: now,
        expiresAt: now + 20_000,
      },
    };

    await service(() => now, 5).schedule(waitTimeout, now + 20_000);
    await service(() => now, 5).schedule(item(), now + 5000);

    const added = (await schedulesInGroup()).filter((x) => !before.has(x.Name));
    expect(added).toHaveLength(1);
    const s = await clients.scheduler.send(
      new GetScheduleCommand({ Name: added[0]?.Name, GroupName: env[SCHEDULER.groupEnv] }),
    );
    expect(s.ScheduleExpression).toBe("at(2031-06-01T08:00:15)");
    expect(JSON.parse(s.Target?.Input ?? "null")).toEqual({ item: waitTimeout, dueAt: now + 20_000 });
  });
});
