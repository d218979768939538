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

describe("usageOfCall by payload and request class", () => {
  const kb = (n: number) => "x".repeat(n * 1024);

  it("bills SQS a request per 64 KB chunk of the messages a call sends, a batch's together", () => {
    const fifo = "http://q/work.fifo";
    expect(usageOfCall("SQS", "SendMessage", { QueueUrl: fifo, MessageBody: kb(64) })).toEqual({
      sqsFifoRequests: 1,
    });
    expect(usageOfCall("SQS", "SendMessage", { QueueUrl: "http://q/timers", MessageBody: kb(65) })).toEqual({
      sqsStandardRequests: 2,
    });
    const entries = Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageBody: kb(20) }));
    expect(usageOfCall("SQS", "SendMessageBatch", { QueueUrl: fifo, Entries: entries })).toEqual({
      sqsFifoRequests: 4,
    });
    expect(usageOfCall("SQS", "SendMessageBatch", { QueueUrl: fifo, Entries: entries.slice(0, 3) })).toEqual({
      sqsFifoRequests: 1,
    });
    expect(usageOfCall("SQS", "DeleteMessageBatch", { QueueUrl: fifo, Entries: [{}, {}] })).toEqual({
      sqsFifoRequests: 1,
    });
  });

  it("bills Kinesis a PUT unit per 25 KB of each record put (data and partition key), other calls none", () => {
    const record = (data: number) => ({ Data: Buffer.alloc(data), PartitionKey: "k" });
    expect(usageOfCall("Kinesis", "PutRecord", record(10))).toEqual({ kinesisPutUnits: 1 });
    expect(usageOfCall("Kinesis", "PutRecord", record(25 * 1024))).toEqual({ kinesisPutUnits: 2 });
    expect(
      usageOfCall("Kinesis", "PutRecords", { Records: [record(100), record(60 * 1024), record(0)] }),
    ).toEqual({ kinesisPutUnits: 5 });
    expect(usageOfCall("Kinesis", "DescribeStreamSummary", { StreamName: "s" })).toEqual({});
  });

  it("bills S3 PUT, COPY and LIST as PUT-class requests, HEAD as a GET, and DELETE as nothing", () => {
    expect(usageOfCall("S3", "CopyObject", {})).toEqual({ s3Puts: 1 });
    expect(usageOfCall("S3", "ListObjectsV2", {})).toEqual({ s3Puts: 1 });
    expect(usageOfCall("S3", "HeadObject", {})).toEqual({ s3Gets: 1 });
    expect(usageOfCall("S3", "DeleteObject", {})).toEqual({});
    expect(usageOfCall("S3", "DeleteObjects", {})).toEqual({});
  });

  it("bills a DynamoDB BatchGetItem per key over its tables, and a Query as one read", () => {
    expect(
      usageOfCall("DynamoDB", "BatchGetItem", {
        RequestItems: { a: { Keys: [{}, {}, {}] }, b: { Keys: [{}] } },
      }),
    ).toEqual({ dynamoWru: 0, dynamoRru: 2 });
    expect(usageOfCall("DynamoDB", "Query", { TableName: "t", ConsistentRead: true })).toEqual({
      dynamoWru: 0,
      dynamoRru: 1,
    });
    expect(usageOfCall("DynamoDB", "Query", { TableName: "t" })).toEqual({ dynamoWru: 0, dynamoRru: 0.5 });
    expect(usageOfCall("DynamoDB", "TransactGetItems", { TransactItems: [{}, {}] })).toEqual({
      dynamoWru: 0,
      dynamoRru: 4,
    });
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

describe("awsCalls.tally, nested", () => {
  it("counts a call in the innermost tally only", async () => {
    const { tally: outer } = await awsCalls.tally(async () => {
      awsCalls.record("DynamoDB", "PutItem", {});
      const { tally: inner } = await awsCalls.tally(async () => {
        awsCalls.record("S3", "PutObject", {});
      });
      expect(inner).toMatchObject({ calls: 1, usage: { s3Puts: 1, dynamoWru: 0 } });
      awsCalls.record("DynamoDB", "PutItem", {});
    });
    expect(outer).toMatchObject({ calls: 2, usage: { s3Puts: 0, dynamoWru: 2 } });
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
