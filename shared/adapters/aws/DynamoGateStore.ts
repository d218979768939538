import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { GateStore, LockClaim, LockRecord } from "../../ports/index.js";
import { applied, type Item, ttlSeconds } from "./dynamo.js";

const GCRA_SK = "GCRA";
const LOCK_SK = "LOCK";

/**
 * GCRA state and singleton locks in the flow table. pk `GCRA#<key>` (sk `GCRA`) holds `tat`, void
 * once not after now; pk `LOCK#<name>` (sk `LOCK`) holds `holder`, `since` and `until`. Every
 * write is one conditional PutItem; a failed condition is a lost race (false), anything else throws.
 */
export class DynamoGateStore implements GateStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async getTat(key: string, now: number): Promise<number | undefined> {
    const tat = (await this.read(`GCRA#${key}`, GCRA_SK))?.tat;
    return typeof tat === "number" && tat > now ? tat : undefined;
  }

  async setTat(key: string, expect: number | undefined, tat: number, now: number): Promise<boolean> {
    return this.conditionalPut(
      { pk: `GCRA#${key}`, sk: GCRA_SK, tat, expiresAt: ttlSeconds(tat) },
      expect === undefined
        ? {
            ConditionExpression: "attribute_not_exists(pk) OR tat <= :now",
            ExpressionAttributeValues: { ":now": now },
          }
        : { ConditionExpression: "tat = :expect", ExpressionAttributeValues: { ":expect": expect } },
    );
  }

  async getLock(name: string, now: number): Promise<LockRecord | undefined> {
    const { holder, since, until } = (await this.read(`LOCK#${name}`, LOCK_SK)) ?? {};
    if (typeof holder !== "string" || typeof since !== "number" || typeof until !== "number")
      return undefined;
    return until > now ? { holder, since, until } : undefined;
  }

  async claimLock(name: string, claim: LockClaim): Promise<boolean> {
    return this.conditionalPut(
      {
        pk: `LOCK#${name}`,
        sk: LOCK_SK,
        holder: claim.holder,
        since: claim.now,
        until: claim.until,
        expiresAt: ttlSeconds(claim.until),
      },
      claim.expect === undefined
        ? {
            ConditionExpression: "attribute_not_exists(pk) OR #until <= :now",
            ExpressionAttributeNames: { "#until": "until" },
            ExpressionAttributeValues: { ":now": claim.now },
          }
        : {
            ConditionExpression: "#holder = :expect",
            ExpressionAttributeNames: { "#holder": "holder" },
            ExpressionAttributeValues: { ":expect": claim.expect },
          },
    );
  }

  async releaseLock(name: string, holder: string): Promise<boolean> {
    return applied(
      this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { pk: `LOCK#${name}`, sk: LOCK_SK },
          ConditionExpression: "#holder = :holder",
          ExpressionAttributeNames: { "#holder": "holder" },
          ExpressionAttributeValues: { ":holder": holder },
        }),
      ),
    );
  }

  private async read(pk: string, sk: string): Promise<Item | undefined> {
    const r = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk, sk }, ConsistentRead: true }),
    );
    return r.Item;
  }

  private async conditionalPut(
    item: Record<string, unknown>,
    condition: {
      ConditionExpression: string;
      ExpressionAttributeNames?: Record<string, string>;
      ExpressionAttributeValues: Record<string, unknown>;
    },
  ): Promise<boolean> {
    return applied(this.doc.send(new PutCommand({ TableName: this.table, Item: item, ...condition })));
  }
}
