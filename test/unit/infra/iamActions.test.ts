import { describe, expect, it } from "vitest";
import {
  describePermission,
  grantedPermissions,
  permissionsOf,
  type ResolvedCall,
} from "../../../infra/stack/iamActions.js";

/** What one call of `service`'s `operation` on `resources` needs, as "action on resource". */
const needs = (service: string, operation: string, ...resources: ResolvedCall["resources"]) =>
  permissionsOf({ service, operation, resources }).map(describePermission);

describe("permissionsOf (the IAM permissions an AWS call needs)", () => {
  it("authorises a transaction item by item: each item's single-item action on its own table", () => {
    expect(
      needs(
        "DynamoDB",
        "TransactWriteItems",
        { kind: "table", table: "runs", itemOps: ["Put", "Update"] },
        { kind: "table", table: "pauses", itemOps: ["ConditionCheck", "Delete"] },
      ),
    ).toEqual([
      "dynamodb:PutItem on table:runs",
      "dynamodb:UpdateItem on table:runs",
      "dynamodb:ConditionCheckItem on table:pauses",
      "dynamodb:DeleteItem on table:pauses",
    ]);
    expect(needs("DynamoDB", "TransactGetItems", { kind: "table", table: "runs", itemOps: ["Get"] })).toEqual(
      ["dynamodb:GetItem on table:runs"],
    );
  });

  it("names a transaction whose items are unknown as itself, which no grant covers", () => {
    expect(needs("DynamoDB", "TransactWriteItems", { kind: "table", table: "runs" })).toEqual([
      "dynamodb:TransactWriteItems on table:runs",
    ]);
  });

  it("authorises batches as their own actions and index queries on the index", () => {
    expect(
      needs("DynamoDB", "BatchWriteItem", { kind: "table", table: "registry", itemOps: ["Delete", "Put"] }),
    ).toEqual(["dynamodb:BatchWriteItem on table:registry"]);
    expect(needs("DynamoDB", "Query", { kind: "table", table: "runs", index: "active" })).toEqual([
      "dynamodb:Query on table:runs/index/active",
    ]);
  });

  it("authorises SQS batch sends as SendMessage, and S3 object calls on the bucket's objects", () => {
    expect(needs("SQS", "SendMessageBatch", { kind: "queue", queue: "work" })).toEqual([
      "sqs:SendMessage on queue:work",
    ]);
    expect(needs("S3", "GetObject", { kind: "bucket", bucket: "payloads" })).toEqual([
      "s3:GetObject on bucket:payloads/*",
    ]);
  });

  it("adds PassRole to schedule creation and lists schedules on Resource *", () => {
    expect(needs("Scheduler", "CreateSchedule", { kind: "scheduleGroup" })).toEqual([
      "scheduler:CreateSchedule on schedules:tideline/*",
      "iam:PassRole on role:scheduler",
    ]);
    expect(needs("Scheduler", "DeleteSchedule", { kind: "scheduleGroup" })).toEqual([
      "scheduler:DeleteSchedule on schedules:tideline/*",
    ]);
    expect(needs("Scheduler", "ListSchedules", { kind: "scheduleGroup" })).toEqual([
      "scheduler:ListSchedules on *",
    ]);
  });

  it("authorises every SQS batch call as its single form", () => {
    expect(needs("SQS", "DeleteMessageBatch", { kind: "queue", queue: "timers" })).toEqual([
      "sqs:DeleteMessage on queue:timers",
    ]);
    expect(needs("SQS", "ChangeMessageVisibilityBatch", { kind: "queue", queue: "work" })).toEqual([
      "sqs:ChangeMessageVisibility on queue:work",
    ]);
    expect(needs("SQS", "SendMessage", { kind: "queue", queue: "work" })).toEqual([
      "sqs:SendMessage on queue:work",
    ]);
  });

  it("adds PassRole to schedule updates too", () => {
    expect(needs("Scheduler", "UpdateSchedule", { kind: "scheduleGroup" })).toEqual([
      "scheduler:UpdateSchedule on schedules:tideline/*",
      "iam:PassRole on role:scheduler",
    ]);
  });

  it("authorises stream writes on the stream and secret reads on the signing key", () => {
    expect(needs("Kinesis", "PutRecords", { kind: "stream", stream: "events" })).toEqual([
      "kinesis:PutRecords on stream:events",
    ]);
    expect(needs("SecretsManager", "GetSecretValue", { kind: "signingKey" })).toEqual([
      "secretsmanager:GetSecretValue on secret:signingKey",
    ]);
  });

  it("maps an operation it does not know to <prefix>:<operation>, so it is never covered by accident", () => {
    expect(needs("DynamoDB", "DescribeTable", { kind: "table", table: "runs" })).toEqual([
      "dynamodb:DescribeTable on table:runs",
    ]);
    expect(needs("SSM", "GetParameter")).toEqual(["ssm:GetParameter on *"]);
  });
});

describe("grantedPermissions (what bind.ts grants for a manifest entry)", () => {
  it("grants the named table actions, Query on the named indexes, and nothing else", () => {
    expect(
      grantedPermissions({
        tables: { runs: { actions: ["GetItem", "UpdateItem"], queryIndexes: ["active"] } },
      }).map(describePermission),
    ).toEqual([
      "dynamodb:GetItem on table:runs",
      "dynamodb:UpdateItem on table:runs",
      "dynamodb:Query on table:runs/index/active",
    ]);
  });

  it("adds ListBucket only to a bucket that is read (a missing key must answer 404, not 403)", () => {
    expect(grantedPermissions({ buckets: { payloads: ["PutObject"] } }).map(describePermission)).toEqual([
      "s3:PutObject on bucket:payloads/*",
    ]);
    expect(grantedPermissions({ buckets: { payloads: ["GetObject"] } }).map(describePermission)).toEqual([
      "s3:GetObject on bucket:payloads/*",
      "s3:ListBucket on bucket:payloads",
    ]);
  });

  it("passes the scheduler role only to functions that create or update schedules", () => {
    const actions = (scheduler: Parameters<typeof grantedPermissions>[0]["scheduler"]) =>
      grantedPermissions({ scheduler }).map(describePermission);

    expect(actions(["DeleteSchedule", "ListSchedules"])).toEqual([
      "scheduler:DeleteSchedule on schedules:tideline/*",
      "scheduler:ListSchedules on *",
    ]);
    expect(actions(["CreateSchedule"])).toEqual([
      "scheduler:CreateSchedule on schedules:tideline/*",
      "iam:PassRole on role:scheduler",
    ]);
    expect(actions(["UpdateSchedule"])).toEqual([
      "scheduler:UpdateSchedule on schedules:tideline/*",
      "iam:PassRole on role:scheduler",
    ]);
  });

  it("grants SendMessage on a sent-to queue, PutRecords on a written stream, GetSecretValue on the signing key", () => {
    expect(
      grantedPermissions({
        queues: { work: "send" },
        streams: { events: "putRecords" },
        signingKey: true,
      }).map(describePermission),
    ).toEqual([
      "sqs:SendMessage on queue:work",
      "kinesis:PutRecords on stream:events",
      "secretsmanager:GetSecretValue on secret:signingKey",
    ]);
    expect(grantedPermissions({ signingKey: false })).toEqual([]);
  });
});
