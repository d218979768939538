/**
 * Each run's AWS usage as one item of the runs table (`USAGE#<runId>` / `USAGE`), outside the run's
 * own partition so run-state reads never see it, and never on the run record, whose writes are
 * versioned and whose listing index it would dirty. One UpdateItem per job adds to it (ADD is
 * commutative, so jobs of one run in parallel need no condition). It expires as a Running run's
 * items do (runExpiry.ts), a horizon plus the retention after the last job: a job cannot tell
 * whether its run goes on, and a run may sleep far longer than the retention between two jobs.
 */
import { type DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { NO_USAGE, type RunUsage, type Usage } from "../../domain/awsUsage.js";
import type { RunUsageStore } from "../../ports/runUsage.js";
import { batchGet, type Item } from "./dynamo.js";
import { runningExpiry } from "./runExpiry.js";

const USAGE_FIELDS = Object.keys(NO_USAGE) as (keyof Usage)[];
const key = (runId: string) => ({ pk: `USAGE#${runId}`, sk: "USAGE" });
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);

export class DynamoRunUsageStore implements RunUsageStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly retentionSeconds: number,
  ) {}

  async add(runId: string, u: RunUsage, at: number): Promise<void> {
    const added: [string, number][] = [
      ...USAGE_FIELDS.map((f): [string, number] => [f, u.usage[f]]),
      ["calls", u.calls],
      ["jobs", u.jobs],
      ["lambdaMs", u.lambdaMs],
    ].filter(([, n]) => n !== 0) as [string, number][];
    const names = Object.fromEntries(added.map(([f], i) => [`#a${i}`, f]));
    const values = Object.fromEntries(added.map(([, n], i) => [`:a${i}`, n]));
    const adds = added.map((_, i) => `#a${i} :a${i}`);
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: key(runId),
        UpdateExpression: `SET runId = :id, expiresAt = :exp${adds.length ? ` ADD ${adds.join(", ")}` : ""}`,
        ...(adds.length ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: {
          ...values,
          ":id": runId,
          ":exp": runningExpiry(at, this.retentionSeconds),
        },
      }),
    );
  }

  async get(runIds: readonly string[]): Promise<Map<string, RunUsage>> {
    const keys = [...new Set(runIds)].map((id): Item => key(id));
    const items = await batchGet(this.doc, this.table, keys, "run usage reads");
    return new Map(items.map((item) => [String(item.runId), decode(item)]));
  }
}

function decode(item: Item): RunUsage {
  const usage = Object.fromEntries(USAGE_FIELDS.map((f) => [f, num(item[f])])) as unknown as Usage;
  return { usage, calls: num(item.calls), jobs: num(item.jobs), lambdaMs: num(item.lambdaMs) };
}
