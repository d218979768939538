import { describe, expect, it } from "vitest";
import { awsCalls } from "../../../shared/adapters/aws/callCounter.js";
import { usageOfCall } from "../../../shared/adapters/aws/callUsage.js";
import { awsCostView } from "../../../shared/core/observability/awsCost.js";
import { NO_RUN_USAGE, NO_USAGE } from "../../../shared/domain/awsUsage.js";

describe("usageOfCall (the billed units of one AWS call)", () => {
  it("prices DynamoDB writes per item, transactions twice, and reads by consistency", () => {
    expect(usageOfCall("DynamoDB", "PutItem", { TableName: "t" })).toEqual({ dynamoWru: 1, dynamoRru: 0 });
    expect(usageOfCall("DynamoDB", "TransactWriteItems", { TransactItems: [{}, {}, {}] })).toEqual({
      dynamoWru: 6,
      dynamoRru: 0,
    });
    expect(usageOfCall("DynamoDB", "GetItem", { ConsistentRead: true })).toEqual({
      dynamoWru: 0,
      dynamoRru: 1,
    });
    expect(usageOfCall("DynamoDB", "GetItem", {})).toEqual({ dynamoWru: 0, dynamoRru: 0.5 });
    expect(
      usageOfCall("DynamoDB", "BatchGetItem", {
        RequestItems: { t: { Keys: [{}, {}], ConsistentRead: true } },
      }),
    ).toEqual({ dynamoWru: 0, dynamoRru: 2 });
    expect(usageOfCall("DynamoDB", "BatchWriteItem", { RequestItems: { a: [{}, {}], b: [{}] } })).toEqual({
      dynamoWru: 3,
      dynamoRru: 0,
    });
  });

  it("tells FIFO queues from standard ones, S3 reads from writes, and prices a schedule's invocation", () => {
    expect(usageOfCall("SQS", "SendMessage", { QueueUrl: "http://q/work.fifo" })).toEqual({
      sqsFifoRequests: 1,
    });
    expect(usageOfCall("SQS", "SendMessage", { QueueUrl: "http://q/timers" })).toEqual({
      sqsStandardRequests: 1,
    });
    expect(usageOfCall("S3", "GetObject", {})).toEqual({ s3Gets: 1 });
    expect(usageOfCall("S3", "PutObject", {})).toEqual({ s3Puts: 1 });
    expect(usageOfCall("Kinesis", "PutRecords", { Records: [{}, {}] })).toEqual({ kinesisPutUnits: 2 });
    expect(usageOfCall("Scheduler", "CreateSchedule", {})).toEqual({ schedulerInvocations: 1 });
    expect(usageOfCall("Scheduler", "DeleteSchedule", {})).toEqual({});
    expect(usageOfCall("SecretsManager", "GetSecretValue", {})).toEqual({});
  });
});

describe("awsCalls.tally", () => {
  it("adds up the calls made inside it only, and keeps a failure as the result", async () => {
    awsCalls.record("DynamoDB", "PutItem", {});
    const { tally, result } = await awsCalls.tally(async () => {
      awsCalls.record("DynamoDB", "PutItem", {});
      await Promise.resolve();
      awsCalls.record("SQS", "SendMessage", { QueueUrl: "x.fifo" });
      throw new Error("boom");
    });
    expect(tally.calls).toBe(2);
    expect(tally.usage).toMatchObject({ dynamoWru: 1, sqsFifoRequests: 1 });
    expect(result.status).toBe("rejected");
  });
});

describe("awsCostView", () => {
  it("prices each service at list price and lists the most expensive first", () => {
    const view = awsCostView({
      usage: {
        ...NO_USAGE,
        dynamoWru: 4,
        dynamoRru: 2,
        sqsFifoRequests: 2,
        lambdaRequests: 1,
        lambdaGbSeconds: 0.5,
      },
      calls: 7,
      jobs: 1,
      lambdaMs: 1000,
    });
    // 4 WRU × $1.25/M + 2 RRU × $0.25/M; 2 × $0.50/M; $0.20/M + 0.5 GB-s × $0.0000166667
    expect(view.services.map((s) => s.service)).toEqual(["Lambda", "DynamoDB", "SQS"]);
    expect(view.services[1]).toEqual({ service: "DynamoDB", usd: 5.5e-6, detail: "4 WRU, 2 RRU" });
    expect(view.usd).toBeCloseTo(5.5e-6 + 1e-6 + 0.2e-6 + 0.5 * 0.0000166667, 12);
    expect(awsCostView(NO_RUN_USAGE)).toMatchObject({ usd: 0, services: [] });
  });
});
