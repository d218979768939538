/**
 * What the handlers' wiring gives the schedule adapters: every schedule it creates, a long
 * wake-up (timer handler) or a cron trigger (API, on app sync), carries the timers DLQ from the
 * configuration; and the signing key's Secrets Manager read is counted like every other AWS call.
 * Scheduler is never reached: its client answers from a stub middleware.
 */
import type { CreateScheduleCommandInput, Target } from "@aws-sdk/client-scheduler";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { awsCalls } from "../../../shared/adapters/aws/callCounter.js";
import { awsClients } from "../../../shared/adapters/aws/clients.js";
import { arnEnv, QUEUES, SCHEDULER } from "../../../shared/resources.js";
import { stubWiringEnv } from "../../helpers/wiringEnv.js";

/** The targets of the schedules created since the test began. */
const created: Target[] = [];

beforeAll(() => {
  stubWiringEnv();
  awsClients().scheduler.middlewareStack.add(
    (_next, context) => async (args) => {
      if (context.commandName === "CreateScheduleCommand") {
        const target = (args.input as CreateScheduleCommandInput).Target;
        if (target) created.push(target);
      }
      // ListSchedules finds none; CreateSchedule succeeds.
      return { output: { $metadata: {}, Schedules: [] }, response: {} };
    },
    { step: "initialize", name: "stubScheduler", priority: "high" },
  );
});

const DAY_MS = 86_400_000;

describe("the handlers' wiring", () => {
  it("gives a long wake-up and a cron trigger the timers queue, the role and the timers DLQ", async () => {
    const { apiDeps, timerDeps } = await import("../../../lambdas/wiring.js");
    const timers = (await timerDeps()).timers;
    const crons = (await apiDeps()).cronSchedules;

    await timers.schedule(
      { kind: "cron", fnSlug: "app-fn", cron: "0 0 * * *", scheduledAt: "x" },
      Date.now() + DAY_MS,
    );
    await crons.sync("app-fn", [{ cron: "0 0 * * *", expression: "cron(0 0 * * ? *)", timezone: "UTC" }]);

    const expected = {
      Arn: process.env[arnEnv(QUEUES.timers)],
      RoleArn: process.env[SCHEDULER.roleArnEnv],
      DeadLetterConfig: { Arn: process.env[arnEnv(QUEUES.timersDlq)] },
    };
    expect(created).toEqual([expect.objectContaining(expected), expect.objectContaining(expected)]);
  });

  it("counts the Secrets Manager read of the signing key with the other AWS calls", async () => {
    const arn = "arn:aws:secretsmanager:us-east-1:000000000000:secret:signing-key";
    vi.stubEnv("TIDELINE_SIGNING_KEY", "");
    vi.stubEnv("TIDELINE_SIGNING_KEY_SECRET_ARN", arn);
    // Nothing listens there: the read fails, after the counter saw it.
    vi.stubEnv("AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://127.0.0.1:9");
    vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
    vi.stubEnv("AWS_MAX_ATTEMPTS", "1");
    const { apiDeps } = await import("../../../lambdas/wiring.js");
    awsCalls.reset();

    await expect(apiDeps()).rejects.toThrow();

    expect(awsCalls.log()).toEqual([
      {
        who: undefined,
        service: "SecretsManager",
        operation: "GetSecretValue",
        resources: [{ kind: "secret", name: arn }],
        count: 1,
      },
    ]);
  });
});
