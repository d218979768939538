import { ListQueuesCommand } from "@aws-sdk/client-sqs";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { awsCalls } from "../../../shared/adapters/aws/callCounter.js";
import { awsClients } from "../../../shared/adapters/aws/clients.js";
import { TABLES } from "../../../shared/resources.js";
import { randomSuffix, testResources } from "../../helpers/index.js";

let table: string;

beforeAll(async () => {
  const env = await testResources("clients");
  table = env[TABLES.flow.env] ?? "";
});

describe("awsClients", () => {
  it("returns the same cached clients on every call without options", () => {
    expect(awsClients().sqs).toBe(awsClients().sqs);
    expect(awsClients().doc).toBe(awsClients().doc);
  });

  it("counts each call once per Service.Operation, document-client calls as their DynamoDB operation", async () => {
    const { doc, sqs } = awsClients();
    const pk = randomSuffix();
    awsCalls.reset();

    await doc.send(new PutCommand({ TableName: table, Item: { pk, sk: "a", gone: undefined } }));
    await doc.send(new GetCommand({ TableName: table, Key: { pk, sk: "a" } }));
    await sqs.send(new ListQueuesCommand({}));
    await sqs.send(new ListQueuesCommand({}));

    expect(awsCalls.snapshot()).toEqual({
      "DynamoDB.PutItem": 1,
      "DynamoDB.GetItem": 1,
      "SQS.ListQueues": 2,
    });
  });

  it("forgets every count on reset", async () => {
    await awsClients().sqs.send(new ListQueuesCommand({}));
    awsCalls.reset();
    expect(awsCalls.snapshot()).toEqual({});
  });
});
