import { DescribeTimeToLiveCommand } from "@aws-sdk/client-dynamodb";
import { GetScheduleCommand, ListSchedulesCommand } from "@aws-sdk/client-scheduler";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { createResources } from "../../../infra/local/bootstrap.js";
import { createAwsClients } from "../../../shared/adapters/aws/clients.js";
import { TimerServiceAws } from "../../../shared/adapters/aws/TimerServiceAws.js";
import { loadConfig } from "../../../shared/config.js";
import { arnEnv, QUEUES, SCHEDULER, SCHEDULES, TABLES } from "../../../shared/resources.js";
import { randomSuffix } from "../../helpers/index.js";

const clients = createAwsClients();

describe("createResources", () => {
  it("creates every resource of the manifest and returns an environment the config accepts", async () => {
    const env = await createResources(`t-boot-${randomSuffix()}`);

    const config = loadConfig({ ...env, TIDELINE_MODE: "dev" });
    expect(config.queues.work).toMatch(/\.fifo$/);
    expect(process.env[QUEUES.work.env]).toBe(env[QUEUES.work.env]);
    const work = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: config.queues.work, AttributeNames: ["All"] }),
    );
    expect(work.Attributes).toMatchObject({
      FifoQueue: "true",
      DeduplicationScope: "messageGroup",
      FifoThroughputLimit: "perMessageGroupId",
      VisibilityTimeout: String(QUEUES.work.visibilityTimeoutSeconds),
    });
    expect(JSON.parse(work.Attributes?.RedrivePolicy ?? "{}")).toMatchObject({
      deadLetterTargetArn: env[`${QUEUES.workDlq.env}_ARN`],
      maxReceiveCount: 10,
    });
    const ttl = await clients.dynamodb.send(new DescribeTimeToLiveCommand({ TableName: config.tables.runs }));
    expect(ttl.TimeToLiveDescription).toMatchObject({
      TimeToLiveStatus: "ENABLED",
      AttributeName: TABLES.runs.ttlAttribute,
    });
  });

  it("is idempotent and keeps existing schedules when run again", async () => {
    const prefix = `t-boot-${randomSuffix()}`;
    const first = await createResources(prefix);
    await new TimerServiceAws(
      { sqs: clients.sqs, scheduler: clients.scheduler },
      {
        timersQueueUrl: first[QUEUES.timers.env] ?? "",
        timersQueueArn: first[arnEnv(QUEUES.timers)] ?? "",
        scheduleGroup: first[SCHEDULER.groupEnv] ?? "",
        schedulerRoleArn: first[SCHEDULER.roleArnEnv] ?? "",
      },
      { now: Date.now },
    ).schedule(
      { kind: "job", job: { runId: "r", fnSlug: "f", stepId: "s", attempt: 0, version: 0, partition: "p" } },
      Date.now() + 7200_000,
    );

    const second = await createResources(prefix);

    expect(second).toEqual(first);
    const list = await clients.scheduler.send(
      new ListSchedulesCommand({ GroupName: first[SCHEDULER.groupEnv] }),
    );
    // The one-time schedule made above, and each recurring schedule of the manifest once.
    expect((list.Schedules ?? []).map((x) => x.Name).sort()).toEqual(
      [...Object.values(SCHEDULES).map((x) => x.id), expect.stringMatching(/^t-/)].sort(),
    );
  });

  it("creates the manifest's recurring schedules aimed at the timers queue", async () => {
    const env = await createResources(`t-boot-${randomSuffix()}`);
    for (const spec of Object.values(SCHEDULES)) {
      const schedule = await clients.scheduler.send(
        new GetScheduleCommand({ Name: spec.id, GroupName: env[SCHEDULER.groupEnv] }),
      );
      expect(schedule.ScheduleExpression).toBe(spec.expression);
      expect(schedule.Target?.Arn).toBe(env[arnEnv(QUEUES.timers)]);
      expect(JSON.parse(schedule.Target?.Input ?? "null")).toEqual({ item: spec.item, dueAt: 0 });
    }
  });
});
