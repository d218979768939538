import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { type Job, jobId, jobSchema } from "../../domain/schemas.js";
import type { ConcurrencyStatus, ConcurrencyStore, LeaseRequest } from "../../ports/index.js";
import { applied, type Item, isConditionalCheckFailed } from "./dynamo.js";

/**
 * Concurrency leases and backlogs in the flow table.
 * - Counter `CONC#<key>` / `L`: `leases` (map job id → expiry ms), `waiting` (parked jobs),
 *   `checkAt` (the pending capacity check). One item per key: on AWS a key takes about 500
 *   steps/s before its partition's 1,000 WCU (two writes per step).
 * - Backlog `CONCQ#<key>` / `<score, 16 digits>#<job id>`: a parked job, read in score order.
 */
const SK = "L";
/** Attempts at reclaiming expired leases before reporting the key as full. */
const ACQUIRE_ATTEMPTS = 5;
/** Expired leases removed per write (each is one expression term). */
const RECLAIM_MAX = 50;
/** Scores are epoch ms (±priority); shifted and padded so they sort as strings. */
const SCORE_OFFSET = 1e15;

function counterPk(key: string): string {
  return `CONC#${key}`;
}

function backlogPk(key: string): string {
  return `CONCQ#${key}`;
}

function scoreSk(score: number, id: string): string {
  return `${String(Math.max(0, Math.round(score + SCORE_OFFSET))).padStart(16, "0")}#${id}`;
}

function leasesOf(item: Item | undefined): Map<string, number> {
  const raw = item?.leases;
  const out = new Map<string, number>();
  if (typeof raw === "object" && raw !== null) {
    for (const [holder, until] of Object.entries(raw)) if (typeof until === "number") out.set(holder, until);
  }
  return out;
}

function statusOf(item: Item | undefined, now: number): ConcurrencyStatus {
  let live = 0;
  for (const until of leasesOf(item).values()) if (until > now) live++;
  const waiting = typeof item?.waiting === "number" ? Math.max(0, item.waiting) : 0;
  return { live, waiting };
}

export class DynamoConcurrencyStore implements ConcurrencyStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private key(key: string) {
    return { pk: counterPk(key), sk: SK };
  }

  private async read(key: string): Promise<Item | undefined> {
    const r = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: this.key(key), ConsistentRead: true }),
    );
    return r.Item;
  }

  async acquire(key: string, lease: LeaseRequest): Promise<boolean> {
    // One write when there is room (or the holder renews); reads only when the key looks full.
    const yieldClause = lease.yieldToWaiting
      ? " AND (attribute_not_exists(waiting) OR waiting <= :zero)"
      : "";
    const fast = this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: this.key(key),
        UpdateExpression: "SET leases.#h = :until",
        // Renew a live unowned lease, or take a new one where there is room. An owned lease
        // (its job runs) is left alone, and an expired one goes through the reclaim below.
        ConditionExpression:
          "attribute_exists(leases) AND attribute_exists(owners) AND (" +
          "(leases.#h > :now AND attribute_not_exists(owners.#h)) OR " +
          `(attribute_not_exists(leases.#h) AND size(leases) < :limit${yieldClause}))`,
        ExpressionAttributeNames: { "#h": lease.holder },
        ExpressionAttributeValues: {
          ":until": lease.until,
          ":now": lease.now,
          ":limit": lease.limit,
          ...(lease.yieldToWaiting ? { ":zero": 0 } : {}),
        },
      }),
    );
    if (await applied(fast)) return true;
    for (let attempt = 0; attempt < ACQUIRE_ATTEMPTS; attempt++) {
      const item = await this.read(key);
      if (!item || item.leases === undefined) {
        if (await this.create(key, item !== undefined, lease)) return true;
        continue;
      }
      const leases = leasesOf(item);
      const held = leases.get(lease.holder);
      // Admitted already (owned, or renewed by a racing call): nothing to take.
      if (held !== undefined && held > lease.now) return true;
      const { live, waiting } = statusOf(item, lease.now);
      if (lease.yieldToWaiting && waiting > 0) return false;
      if (live >= lease.limit) return false;
      const expired = [...leases].filter(([, until]) => until <= lease.now).slice(0, RECLAIM_MAX);
      if (await this.reclaim(key, expired, lease)) return true;
    }
    return false;
  }

  /** First lease of a key (or of a counter item made by a park before any lease). */
  private create(key: string, exists: boolean, lease: LeaseRequest): Promise<boolean> {
    const first = { [lease.holder]: lease.until };
    if (exists) {
      return applied(
        this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: this.key(key),
            UpdateExpression: "SET leases = :m, owners = if_not_exists(owners, :empty)",
            ConditionExpression: "attribute_not_exists(leases)",
            ExpressionAttributeValues: { ":m": first, ":empty": {} },
          }),
        ),
      );
    }
    return applied(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...this.key(key), leases: first, owners: {}, waiting: 0 },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      ),
    );
  }

  /** Takes a slot by removing expired leases, if none of them was renewed meanwhile. */
  private async reclaim(key: string, expired: [string, number][], lease: LeaseRequest): Promise<boolean> {
    const names: Record<string, string> = { "#h": lease.holder };
    const values: Record<string, unknown> = { ":until": lease.until };
    const removes: string[] = [];
    const conditions: string[] = [];
    expired.forEach(([holder, until], i) => {
      values[`:e${i}`] = until;
      if (holder === lease.holder) {
        // The holder's own lapsed lease is taken again (as new: whoever owned it is gone).
        removes.push("owners.#h");
        conditions.push(`leases.#h = :e${i}`);
        return;
      }
      names[`#e${i}`] = holder;
      removes.push(`leases.#e${i}`, `owners.#e${i}`);
      conditions.push(`leases.#e${i} = :e${i}`);
    });
    // Room after the removal: the count left must stay under the limit.
    values[":max"] = lease.limit - 1 + expired.length;
    conditions.push("size(leases) <= :max", "attribute_exists(owners)");
    return applied(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(key),
          UpdateExpression: `SET leases.#h = :until${removes.length ? ` REMOVE ${removes.join(", ")}` : ""}`,
          ConditionExpression: conditions.join(" AND "),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  async claim(key: string, lease: LeaseRequest & { owner: string }): Promise<"held" | "busy" | "full"> {
    const names = { "#h": lease.holder };
    const own = async (condition: string, values: Record<string, unknown>): Promise<boolean> => {
      return applied(
        this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: this.key(key),
            UpdateExpression: "SET leases.#h = :until, owners.#h = :me",
            ConditionExpression: condition,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ":until": lease.until, ":me": lease.owner, ...values },
          }),
        ),
      );
    };
    // The usual case: the lease taken at dispatch is live and nobody else runs the job.
    const mine = "attribute_exists(owners) AND (attribute_not_exists(owners.#h) OR owners.#h = :me)";
    if (await own(`attribute_exists(leases.#h) AND leases.#h > :now AND ${mine}`, { ":now": lease.now })) {
      return "held";
    }
    const item = await this.read(key);
    const until = leasesOf(item).get(lease.holder);
    const owners = item?.owners as Record<string, unknown> | undefined;
    const owner = owners?.[lease.holder];
    if (until !== undefined && until > lease.now && typeof owner === "string" && owner !== lease.owner)
      return "busy";
    if (!(await this.acquire(key, lease))) return "full";
    return (await own(`attribute_exists(leases.#h) AND ${mine}`, {})) ? "held" : "busy";
  }

  async extend(key: string, lease: { holder: string; owner: string; until: number }): Promise<boolean> {
    return applied(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(key),
          UpdateExpression: "SET leases.#h = :until",
          ConditionExpression: "attribute_exists(leases.#h) AND owners.#h = :me",
          ExpressionAttributeNames: { "#h": lease.holder },
          ExpressionAttributeValues: { ":until": lease.until, ":me": lease.owner },
        }),
      ),
    );
  }

  async release(key: string, holder: string, now: number, owner?: string): Promise<ConcurrencyStatus> {
    const mine = owner === undefined ? "" : " OR owners.#h = :me";
    try {
      const r = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(key),
          UpdateExpression: "REMOVE leases.#h, owners.#h",
          ConditionExpression: `attribute_exists(leases) AND attribute_exists(owners) AND (attribute_not_exists(owners.#h)${mine})`,
          ExpressionAttributeNames: { "#h": holder },
          ...(owner === undefined ? {} : { ExpressionAttributeValues: { ":me": owner } }),
          ReturnValues: "ALL_NEW",
        }),
      );
      return statusOf(r.Attributes, now);
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      // Owned by another executor (or no counter at all): left as it is.
      return this.status(key, now);
    }
  }

  /**
   * No transactions here: the counter item is the key's hottest, and a transaction on it would
   * make every plain update of it meanwhile fail with a conflict. `waiting` counts the backlog;
   * a crash between the two writes of a park leaves it one short (the key's check timer, which
   * reads the backlog itself, still finds the job).
   */
  async park(
    key: string,
    job: Job,
    score: number,
    now: number,
  ): Promise<ConcurrencyStatus & { checkAt?: number }> {
    const put = await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: backlogPk(key), sk: scoreSk(score, jobId(job)), job },
        ReturnValues: "ALL_OLD",
      }),
    );
    // Parked again at the same place (the sweep re-sent it, say): counted once.
    const added = put.Attributes === undefined ? 1 : 0;
    const r = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: this.key(key),
        UpdateExpression:
          "SET leases = if_not_exists(leases, :empty), owners = if_not_exists(owners, :empty) ADD waiting :n",
        ExpressionAttributeValues: { ":empty": {}, ":n": added },
        ReturnValues: "ALL_NEW",
      }),
    );
    const checkAt = r.Attributes?.checkAt;
    return { ...statusOf(r.Attributes, now), ...(typeof checkAt === "number" ? { checkAt } : {}) };
  }

  async takeParked(key: string, n: number): Promise<Job[]> {
    const r = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": backlogPk(key) },
        ConsistentRead: true,
        Limit: n,
      }),
    );
    const items = r.Items ?? [];
    const taken = await Promise.all(
      items.map(async (item) => {
        try {
          await this.doc.send(
            new DeleteCommand({
              TableName: this.table,
              Key: { pk: item.pk, sk: item.sk },
              ConditionExpression: "attribute_exists(pk)",
            }),
          );
          return jobSchema.parse(item.job);
        } catch (err) {
          if (isConditionalCheckFailed(err)) return undefined; // another refill took it
          throw err;
        }
      }),
    );
    const jobs = taken.filter((j) => j !== undefined);
    // Only what this call removed is counted off: setting the count from what a query saw could
    // lose a park that raced it, and an undercount strands jobs until the check timer.
    if (jobs.length > 0) {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(key),
          UpdateExpression: "ADD waiting :minus",
          ExpressionAttributeValues: { ":minus": -jobs.length },
        }),
      );
    }
    return jobs;
  }

  async status(key: string, now: number): Promise<ConcurrencyStatus> {
    return statusOf(await this.read(key), now);
  }

  async claimCheck(key: string, at: number, now: number): Promise<boolean> {
    return applied(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(key),
          UpdateExpression:
            "SET checkAt = :at, leases = if_not_exists(leases, :empty), owners = if_not_exists(owners, :empty)",
          ConditionExpression: "attribute_not_exists(checkAt) OR checkAt <= :now",
          ExpressionAttributeValues: { ":at": at, ":now": now, ":empty": {} },
        }),
      ),
    );
  }
}
