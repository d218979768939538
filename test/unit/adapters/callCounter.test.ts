import { describe, expect, it } from "vitest";
import { awsCalls, resourcesOf } from "../../../shared/adapters/aws/callCounter.js";

describe("resourcesOf (what an AWS call touched)", () => {
  it("names each table of a transaction with the operations of its items", () => {
    expect(
      resourcesOf("DynamoDB", "TransactWriteItems", {
        TransactItems: [
          { Put: { TableName: "runs", Item: {} } },
          { Update: { TableName: "runs", Key: {} } },
          { Delete: { TableName: "pauses", Key: {} } },
          { ConditionCheck: { TableName: "flow", Key: {} } },
        ],
      }),
    ).toEqual([
      { kind: "table", name: "runs", itemOps: ["Put", "Update"] },
      { kind: "table", name: "pauses", itemOps: ["Delete"] },
      { kind: "table", name: "flow", itemOps: ["ConditionCheck"] },
    ]);
  });

  it("names the tables of batches by their RequestItems keys, and a query's index", () => {
    expect(
      resourcesOf("DynamoDB", "BatchWriteItem", {
        RequestItems: { registry: [{ PutRequest: { Item: {} } }, { DeleteRequest: { Key: {} } }] },
      }),
    ).toEqual([{ kind: "table", name: "registry", itemOps: ["Delete", "Put"] }]);
    expect(resourcesOf("DynamoDB", "BatchGetItem", { RequestItems: { runs: { Keys: [] } } })).toEqual([
      { kind: "table", name: "runs", itemOps: ["Get"] },
    ]);
    expect(resourcesOf("DynamoDB", "Query", { TableName: "runs", IndexName: "active" })).toEqual([
      { kind: "table", name: "runs", index: "active" },
    ]);
  });

  it("names queues, streams, buckets, schedule groups and secrets", () => {
    expect(resourcesOf("SQS", "SendMessageBatch", { QueueUrl: "http://q/1/work.fifo" })).toEqual([
      { kind: "queue", name: "http://q/1/work.fifo" },
    ]);
    expect(resourcesOf("Kinesis", "PutRecords", { StreamName: "events" })).toEqual([
      { kind: "stream", name: "events" },
    ]);
    expect(resourcesOf("S3", "GetObject", { Bucket: "payloads", Key: "k" })).toEqual([
      { kind: "bucket", name: "payloads" },
    ]);
    expect(resourcesOf("Scheduler", "CreateSchedule", { GroupName: "tideline", Name: "t-1" })).toEqual([
      { kind: "scheduleGroup", name: "tideline" },
    ]);
    expect(resourcesOf("SecretsManager", "GetSecretValue", { SecretId: "arn:key" })).toEqual([
      { kind: "secret", name: "arn:key" },
    ]);
  });
});

describe("awsCalls", () => {
  it("logs each distinct call with its scope and resources, and keeps the counts as they were", () => {
    awsCalls.reset();
    awsCalls.inScope("runner", () => {
      awsCalls.record("DynamoDB", "GetItem", { TableName: "runs" });
      awsCalls.record("DynamoDB", "GetItem", { TableName: "runs" });
    });
    awsCalls.record("SQS", "ReceiveMessage", { QueueUrl: "q" });

    expect(awsCalls.snapshot()).toEqual({ "runner:DynamoDB.GetItem": 2, "SQS.ReceiveMessage": 1 });
    expect(awsCalls.log()).toEqual([
      {
        who: "runner",
        service: "DynamoDB",
        operation: "GetItem",
        resources: [{ kind: "table", name: "runs" }],
        count: 2,
      },
      {
        who: undefined,
        service: "SQS",
        operation: "ReceiveMessage",
        resources: [{ kind: "queue", name: "q" }],
        count: 1,
      },
    ]);
    awsCalls.reset();
    expect(awsCalls.log()).toEqual([]);
  });
});
