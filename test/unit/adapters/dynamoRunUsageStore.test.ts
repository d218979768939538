/**
 * DynamoRunUsageStore where DynamoDB Local cannot show it. The usage item's expiry (TTL deletes
 * it) must outlast any gap between two jobs of a Running run, as the run's own items do, or a run
 * that sleeps longer than the retention loses what its earlier jobs cost; and a batch read's
 * unprocessed keys are read again. The document client is a stub that keeps what it is sent.
 */
import type {
  BatchGetCommandInput,
  BatchGetCommandOutput,
  DynamoDBDocumentClient,
  UpdateCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { DynamoRunUsageStore } from "../../../shared/adapters/aws/DynamoRunUsageStore.js";
import { runningExpiry, STATE_HORIZON_MS } from "../../../shared/adapters/aws/runExpiry.js";
import { NO_RUN_USAGE } from "../../../shared/domain/awsUsage.js";
import { T0 } from "../../fixtures/records.js";

const RETENTION_S = 30 * 86_400;

function recording() {
  const sent: UpdateCommandInput[] = [];
  const doc = {
    send: async (command: { input: UpdateCommandInput }) => {
      sent.push(command.input);
      return {};
    },
  } as unknown as DynamoDBDocumentClient;
  return { store: new DynamoRunUsageStore(doc, "runs", RETENTION_S), sent };
}

describe("DynamoRunUsageStore expiry", () => {
  it("keeps a run's usage a horizon plus the retention past its last job, as a Running run's items", async () => {
    const { store, sent } = recording();
    await store.add("run-1", { ...NO_RUN_USAGE, jobs: 1 }, T0);

    const expiresAt = Number(sent[0]?.ExpressionAttributeValues?.[":exp"]);
    expect(expiresAt).toBe(runningExpiry(T0, RETENTION_S));
    // A sleep of the longest allowed length, then the retention, and the total is still there.
    expect(expiresAt).toBeGreaterThanOrEqual(Math.ceil((T0 + STATE_HORIZON_MS) / 1000) + RETENTION_S);
  });
});

describe("DynamoRunUsageStore reads", () => {
  it("reads again the keys a batch read leaves unprocessed", async () => {
    const asked: string[][] = [];
    const doc = {
      send: async (command: { input: BatchGetCommandInput }): Promise<Partial<BatchGetCommandOutput>> => {
        const keys = command.input.RequestItems?.runs?.Keys ?? [];
        asked.push(keys.map((k) => String(k.pk)));
        // The first read answers the first key only and leaves the rest unprocessed.
        const [first, ...rest] = keys;
        const item = (pk: unknown) => ({ pk, sk: "USAGE", runId: String(pk).slice(6), calls: 1, jobs: 1 });
        return asked.length === 1
          ? { Responses: { runs: first ? [item(first.pk)] : [] }, UnprocessedKeys: { runs: { Keys: rest } } }
          : { Responses: { runs: keys.map((k) => item(k.pk)) } };
      },
    } as unknown as DynamoDBDocumentClient;
    const totals = await new DynamoRunUsageStore(doc, "runs", RETENTION_S).get(["a", "b", "c"]);

    expect(asked).toEqual([
      ["USAGE#a", "USAGE#b", "USAGE#c"],
      ["USAGE#b", "USAGE#c"],
    ]);
    expect([...totals.keys()].sort()).toEqual(["a", "b", "c"]);
  });
});
