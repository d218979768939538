import { describe, expect, it } from "vitest";
import {
  describePermission,
  grantedPermissions,
  permissionsOf,
  type ResolvedCall,
} from "../../../infra/stack/iamActions.js";

const needs = (call: ResolvedCall) => permissionsOf(call).map(describePermission);

describe("permissionsOf (the IAM permissions an AWS call needs)", () => {
  it("authorises a transaction item by item: each item's single-item action on its own table", () => {
    expect(
      needs({
        service: "DynamoDB",
        operation: "TransactWriteItems",
        resources: [
          { kind: "table", table: "runs", itemOps: ["Put", "Update"] },
          { kind: "table", table: "pauses", itemOps: ["ConditionCheck", "Delete"] },
        ],
      }),
    ).toEqual([
      "dynamodb:PutItem on table:runs",
      "dynamodb:UpdateItem on table:runs",
      "dynamodb:ConditionCheckItem on table:pauses",
      "dynamodb:DeleteItem on table:pauses",
    ]);
    expect(
      needs({
        service: "DynamoDB",
        operation: "TransactGetItems",
        resources: [{ kind: "table", table: "runs", itemOps: ["Get"] }],
      }),
    ).toEqual(["dynamodb:GetItem on table:runs"]);
  });

  it("names a transaction whose items are unknown as itself, which no grant covers", () => {
    expect(
      needs({
        service: "DynamoDB",
        operation: "TransactWriteItems",
        resources: [{ kind: "table", table: "runs" }],
      }),
    ).toEqual(["dynamodb:TransactWriteItems on table:runs"]);
  });

  it("authorises batches as their own actions and index queries on the index", () => {
    expect(
      needs({
        service: "DynamoDB",
        operation: "BatchWriteItem",
        resources: [{ kind: "table", table: "registry", itemOps: ["Delete", "Put"] }],
      }),
    ).toEqual(["dynamodb:BatchWriteItem on table:registry"]);
    expect(
      needs({
        service: "DynamoDB",
        operation: "Query",
        resources: [{ kind: "table", table: "runs", index: "active" }],
      }),
    ).toEqual(["dynamodb:Query on table:runs/index/active"]);
  });

  it("authorises SQS batch sends as SendMessage, and S3 object calls on the bucket's objects", () => {
    expect(
      needs({ service: "SQS", operation: "SendMessageBatch", resources: [{ kind: "queue", queue: "work" }] }),
    ).toEqual(["sqs:SendMessage on queue:work"]);
    expect(
      needs({ service: "S3", operation: "GetObject", resources: [{ kind: "bucket", bucket: "payloads" }] }),
    ).toEqual(["s3:GetObject on bucket:payloads/*"]);
  });

  it("adds PassRole to schedule creation and lists schedules on Resource *", () => {
    expect(
      needs({ service: "Scheduler", operation: "CreateSchedule", resources: [{ kind: "scheduleGroup" }] }),
    ).toEqual(["scheduler:CreateSchedule on schedules:tideline/*", "iam:PassRole on role:scheduler"]);
    expect(
      needs({ service: "Scheduler", operation: "DeleteSchedule", resources: [{ kind: "scheduleGroup" }] }),
    ).toEqual(["scheduler:DeleteSchedule on schedules:tideline/*"]);
    expect(
      needs({ service: "Scheduler", operation: "ListSchedules", resources: [{ kind: "scheduleGroup" }] }),
    ).toEqual(["scheduler:ListSchedules on *"]);
  });

  it("maps an operation it does not know to <prefix>:<operation>, so it is never covered by accident", () => {
    expect(
      needs({
        service: "DynamoDB",
        operation: "DescribeTable",
        resources: [{ kind: "table", table: "runs" }],
      }),
    ).toEqual(["dynamodb:DescribeTable on table:runs"]);
    expect(needs({ service: "SSM", operation: "GetParameter", resources: [] })).toEqual([
      "ssm:GetParameter on *",
    ]);
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
  });
});
