import {
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { createAwsClients } from "../../../shared/adapters/aws/clients.js";
import { DynamoRunStore } from "../../../shared/adapters/aws/DynamoRunStore.js";
import { LargeJson } from "../../../shared/adapters/aws/largeJson.js";
import { S3BlobStore } from "../../../shared/adapters/aws/S3BlobStore.js";
import { loadConfig } from "../../../shared/config.js";
import type { RunTransition } from "../../../shared/ports/index.js";
import { makeRun } from "../../fixtures/records.js";
import { randomSuffix, testResources } from "../../helpers/index.js";

/**
 * A transaction that DynamoDB cancels for anything but a failed condition (a conflicting
 * transaction, throttling) is not a lost race: the store must throw, so the executor fails the
 * job and SQS delivers it again. Treated as a lost race, the job was acknowledged with nothing
 * committed and the run stayed Running forever with no next job.
 */
let runs: DynamoRunStore;
/** The next TransactWriteItems/UpdateItem calls fail with these errors (then the real call goes). */
const injected: Error[] = [];

beforeAll(async () => {
  const env = await testResources("run-failures");
  const config = loadConfig({ ...process.env, ...env });
  const dynamodb = new DynamoDBClient({});
  dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      const failure = ["TransactWriteItemsCommand", "UpdateItemCommand"].includes(String(context.commandName))
        ? injected.shift()
        : undefined;
      if (failure) throw failure;
      return next(args);
    },
    { step: "initialize", name: "injectFailures" },
  );
  const doc = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  const json = new LargeJson(new S3BlobStore(createAwsClients().s3, config.bucket));
  runs = new DynamoRunStore(
    doc,
    { runs: config.tables.runs, flow: config.tables.flow, pauses: config.tables.pauses },
    json,
    3600,
  );
});

function cancelled(...codes: string[]): TransactionCanceledException {
  return new TransactionCanceledException({
    message: "Transaction cancelled",
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

const stepTransition = (runId: string): RunTransition => ({
  steps: [{ runId, stepId: "h1", value: { data: 1 }, op: "StepRun", attempts: 0, at: 1 }],
  set: { stack: ["h1"], next: [] },
  at: 1,
});

describe("DynamoRunStore when a write fails for another reason than a lost race", () => {
  it("throws when a step commit is cancelled by a conflicting transaction, and the retry commits", async () => {
    const run = makeRun({ runId: `01R${randomSuffix()}` });
    await runs.createRun(run);
    injected.push(cancelled("None", "TransactionConflict"));

    await expect(runs.commitTransition(run.runId, 0, stepTransition(run.runId))).rejects.toThrow(
      "Transaction cancelled",
    );
    expect((await runs.getRunState(run.runId))?.steps).toEqual([]);
    expect(await runs.commitTransition(run.runId, 0, stepTransition(run.runId))).toBe(true);
    expect((await runs.getRun(run.runId))?.version).toBe(1);
  });

  it("throws when a transition without steps is throttled", async () => {
    const run = makeRun({ runId: `01R${randomSuffix()}` });
    await runs.createRun(run);
    injected.push(new ProvisionedThroughputExceededException({ message: "slow down", $metadata: {} }));

    await expect(runs.commitTransition(run.runId, 0, { set: { next: [] }, at: 1 })).rejects.toThrow(
      "slow down",
    );
    expect((await runs.getRun(run.runId))?.version).toBe(0);
  });

  it("throws when creating a run is cancelled by a conflict, rather than calling it a duplicate", async () => {
    const run = makeRun({ runId: `01R${randomSuffix()}` });
    injected.push(cancelled("None", "None", "TransactionConflict"));

    await expect(
      runs.createRun(run, { key: `k-${randomSuffix()}`, expiresAt: Date.now() + 60_000 }),
    ).rejects.toThrow("Transaction cancelled");
    expect(await runs.getRun(run.runId)).toBeUndefined();
  });

  it("still reports a lost race (the version moved) as false", async () => {
    const run = makeRun({ runId: `01R${randomSuffix()}` });
    await runs.createRun(run);
    expect(await runs.commitTransition(run.runId, 0, { set: { next: [] }, at: 1 })).toBe(true);
    expect(await runs.commitTransition(run.runId, 0, stepTransition(run.runId))).toBe(false);
  });
});
