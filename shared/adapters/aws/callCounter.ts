/**
 * Counts AWS API calls per "Service.Operation" (e.g. "DynamoDB.PutItem"). Cost per step is mostly
 * the number of calls it makes, so benchmarks and tests read these counts to keep them few.
 *
 * Beside the counts it logs what each call touched (table, index, queue, stream, bucket, schedule
 * group, secret) under the function that made it: test/e2e/grants.e2e.test.ts holds every call a
 * workload makes to the IAM grants of shared/resources.ts.
 */

import { AsyncLocalStorage } from "node:async_hooks";
import type {
  InitializeHandlerOptions,
  InitializeMiddleware,
  MetadataBearer,
  MiddlewareStack,
} from "@smithy/types";
import { addUsage, NO_USAGE, type Usage } from "../../domain/awsUsage.js";
import { isObject, usageOfCall } from "./callUsage.js";

/** The kind of resource a call names; IAM authorises the call on that resource's ARN. */
export type AwsResourceKind = "table" | "queue" | "stream" | "bucket" | "scheduleGroup" | "secret";

/** One resource a call touched, by the physical name the call gave. */
export interface AwsResource {
  readonly kind: AwsResourceKind;
  /** Table name, queue URL, stream name (or ARN), bucket, schedule group or secret id. */
  readonly name: string;
  /** The secondary index a Query or Scan read. */
  readonly index?: string;
  /**
   * What a transaction or batch did to the table's items, sorted: Put, Update, Delete,
   * ConditionCheck, Get. IAM authorises a transaction item as its own single-item action.
   */
  readonly itemOps?: readonly string[];
}

/** Distinct calls: who made them, the operation and the resources, with how many were made. */
export interface AwsCallRecord {
  /** The scope (Lambda entry) that made the call; undefined outside any scope. */
  readonly who: string | undefined;
  readonly service: string;
  readonly operation: string;
  readonly resources: readonly AwsResource[];
  readonly count: number;
}

const counts = new Map<string, number>();
const calls = new Map<string, AwsCallRecord>();
/** Who made a call: the local runtime runs each handler invocation inside its function's scope. */
const scope = new AsyncLocalStorage<string>();

/** The calls of one job, tallied for its run's cost (see `awsCalls.tally`). */
export interface CallTally {
  calls: number;
  usage: Usage;
}
const tallies = new AsyncLocalStorage<CallTally>();

const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);

/** Table → item operations, for transactions and batches (one entry per table, ops sorted). */
function tablesWithOps(pairs: [string | undefined, string][]): AwsResource[] {
  const byTable = new Map<string, Set<string>>();
  for (const [table, op] of pairs) {
    if (!table) continue;
    const ops = byTable.get(table) ?? new Set<string>();
    ops.add(op);
    byTable.set(table, ops);
  }
  return [...byTable].map(([name, ops]) => ({ kind: "table", name, itemOps: [...ops].sort() }));
}

const TRANSACT_OPS = ["Put", "Update", "Delete", "ConditionCheck", "Get"] as const;

/** The tables of a TransactWriteItems/TransactGetItems input, with each item's operation. */
function transactTables(items: unknown): AwsResource[] {
  const pairs: [string | undefined, string][] = [];
  for (const item of Array.isArray(items) ? items : []) {
    if (!isObject(item)) continue;
    for (const op of TRANSACT_OPS) {
      const body = item[op];
      if (isObject(body)) pairs.push([str(body.TableName), op]);
    }
  }
  return tablesWithOps(pairs);
}

/** The tables of a BatchWriteItem/BatchGetItem input (RequestItems is keyed by table name). */
function batchTables(requestItems: unknown, write: boolean): AwsResource[] {
  if (!isObject(requestItems)) return [];
  const pairs: [string | undefined, string][] = [];
  for (const [table, requests] of Object.entries(requestItems)) {
    if (!write) {
      pairs.push([table, "Get"]);
      continue;
    }
    for (const r of Array.isArray(requests) ? requests : []) {
      if (isObject(r) && r.PutRequest) pairs.push([table, "Put"]);
      if (isObject(r) && r.DeleteRequest) pairs.push([table, "Delete"]);
    }
  }
  return tablesWithOps(pairs);
}

/** The resources a call's input names (what IAM authorises it on). */
export function resourcesOf(service: string, operation: string, input: unknown): AwsResource[] {
  if (!isObject(input)) return [];
  const one = (kind: AwsResourceKind, name: string | undefined): AwsResource[] =>
    name ? [{ kind, name }] : [];
  switch (service) {
    case "DynamoDB": {
      if (operation === "TransactWriteItems" || operation === "TransactGetItems") {
        return transactTables(input.TransactItems);
      }
      if (operation === "BatchWriteItem" || operation === "BatchGetItem") {
        return batchTables(input.RequestItems, operation === "BatchWriteItem");
      }
      const table = str(input.TableName);
      const index = str(input.IndexName);
      if (!table) return [];
      return [{ kind: "table", name: table, ...(index ? { index } : {}) }];
    }
    case "SQS":
      return one("queue", str(input.QueueUrl));
    case "Kinesis":
      return one("stream", str(input.StreamName) ?? str(input.StreamARN));
    case "S3":
      return one("bucket", str(input.Bucket));
    case "Scheduler":
      // A schedule call without GroupName acts on Scheduler's default group.
      return one("scheduleGroup", str(input.GroupName) ?? "default");
    case "SecretsManager":
      return one("secret", str(input.SecretId));
    default:
      return [];
  }
}

export const awsCalls = {
  /** Runs `fn` with its AWS calls attributed to `name` (keys become "name:Service.Operation"). */
  inScope<T>(name: string, fn: () => T): T {
    return scope.run(name, fn);
  },
  /**
   * Runs `fn` with a fresh tally of its calls and their billed units (nested tallies are separate:
   * a call counts in the innermost one only).
   */
  async tally<T>(fn: () => Promise<T>): Promise<{ tally: CallTally; result: PromiseSettledResult<T> }> {
    const tally: CallTally = { calls: 0, usage: NO_USAGE };
    try {
      return { tally, result: { status: "fulfilled", value: await tallies.run(tally, fn) } };
    } catch (reason) {
      return { tally, result: { status: "rejected", reason } };
    }
  },
  /** Counts one call; with its input, also logs the resources it touched. */
  record(service: string, operation: string, input?: unknown): void {
    const tally = tallies.getStore();
    if (tally) {
      tally.calls += 1;
      tally.usage = addUsage(tally.usage, usageOfCall(service, operation, input));
    }
    const who = scope.getStore();
    const key = `${who ? `${who}:` : ""}${service}.${operation}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const resources = resourcesOf(service, operation, input);
    const callKey = JSON.stringify([who, service, operation, resources]);
    const seen = calls.get(callKey);
    calls.set(callKey, { who, service, operation, resources, count: (seen?.count ?? 0) + 1 });
  },
  snapshot(): Record<string, number> {
    return Object.fromEntries(counts);
  },
  /** The distinct calls since the last reset, with the resources each touched. */
  log(): AwsCallRecord[] {
    return [...calls.values()];
  },
  reset(): void {
    counts.clear();
    calls.clear();
  },
};

/**
 * Initialize-step middleware: it runs once per `client.send`, before the retry middleware, so a
 * retried call counts once (the logical request is what we budget; retries are rare).
 */
function countCalls<I extends object, O extends MetadataBearer>(): InitializeMiddleware<I, O> {
  return (next, context) => async (args) => {
    const service = String(context.clientName ?? "Unknown").replace(/Client$/, "");
    const operation = String(context.commandName ?? "Unknown").replace(/Command$/, "");
    awsCalls.record(service, operation, args.input);
    return next(args);
  };
}

const options: InitializeHandlerOptions = { step: "initialize", name: "tidelineCallCounter", override: true };

/** Adds the counter to a client; idempotent (a second add replaces the first by name). */
export function countAwsCalls<
  I extends object,
  O extends MetadataBearer,
  C extends { middlewareStack: MiddlewareStack<I, O> },
>(client: C): C {
  client.middlewareStack.add(countCalls<I, O>(), options);
  return client;
}
