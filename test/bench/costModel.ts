/**
 * List-price cost of what runs use on AWS (us-east-1, on-demand, no free tier), kept pure so its
 * arithmetic is unit tested (test/unit/bench/costModel.test.ts). The benchmark measures the usage;
 * this module only prices it.
 */

/** US dollars, us-east-1 list prices. */
export interface Prices {
  /** DynamoDB on-demand, per 1M write request units. */
  dynamoPerMillionWru: number;
  /** DynamoDB on-demand, per 1M read request units. */
  dynamoPerMillionRru: number;
  /** SQS FIFO, per 1M requests (each 64 KB chunk of a request is one). */
  sqsFifoPerMillionRequests: number;
  /** SQS standard, per 1M requests. */
  sqsStandardPerMillionRequests: number;
  /** Kinesis provisioned mode, per 1M PUT payload units (25 KB of a record each); shard-hours apart. */
  kinesisPerMillionPutUnits: number;
  /** Lambda, per 1M requests. */
  lambdaPerMillionRequests: number;
  /** Lambda duration (x86), per GB-second. */
  lambdaPerGbSecond: number;
  /** API Gateway HTTP API, per 1M requests (first 300M a month). */
  httpApiPerMillionRequests: number;
  /** S3 Standard, per 1,000 PUT/POST/LIST requests. */
  s3PerThousandPuts: number;
  /** S3 Standard, per 1,000 GET requests. */
  s3PerThousandGets: number;
  /** EventBridge Scheduler, per 1M invocations (API calls to it are free). */
  schedulerPerMillionInvocations: number;
}

export const US_EAST_1: Prices = {
  dynamoPerMillionWru: 1.25,
  dynamoPerMillionRru: 0.25,
  sqsFifoPerMillionRequests: 0.5,
  sqsStandardPerMillionRequests: 0.4,
  kinesisPerMillionPutUnits: 0.014,
  lambdaPerMillionRequests: 0.2,
  lambdaPerGbSecond: 0.0000166667,
  httpApiPerMillionRequests: 1.0,
  s3PerThousandPuts: 0.005,
  s3PerThousandGets: 0.0004,
  schedulerPerMillionInvocations: 1.0,
};

/** What some runs used, in the units AWS bills. */
export interface Usage {
  dynamoWru: number;
  dynamoRru: number;
  sqsFifoRequests: number;
  sqsStandardRequests: number;
  kinesisPutUnits: number;
  lambdaRequests: number;
  lambdaGbSeconds: number;
  httpApiRequests: number;
  s3Puts: number;
  s3Gets: number;
  schedulerInvocations: number;
}

export const NO_USAGE: Usage = {
  dynamoWru: 0,
  dynamoRru: 0,
  sqsFifoRequests: 0,
  sqsStandardRequests: 0,
  kinesisPutUnits: 0,
  lambdaRequests: 0,
  lambdaGbSeconds: 0,
  httpApiRequests: 0,
  s3Puts: 0,
  s3Gets: 0,
  schedulerInvocations: 0,
};

export interface Cost {
  dynamodb: number;
  sqs: number;
  kinesis: number;
  lambdaRequests: number;
  lambdaDuration: number;
  httpApi: number;
  s3: number;
  scheduler: number;
  total: number;
}

const M = 1_000_000;

/** Dollars for `usage` at `prices`, by service. */
export function costOf(usage: Usage, prices: Prices = US_EAST_1): Cost {
  const parts = {
    dynamodb:
      (usage.dynamoWru * prices.dynamoPerMillionWru + usage.dynamoRru * prices.dynamoPerMillionRru) / M,
    sqs:
      (usage.sqsFifoRequests * prices.sqsFifoPerMillionRequests +
        usage.sqsStandardRequests * prices.sqsStandardPerMillionRequests) /
      M,
    kinesis: (usage.kinesisPutUnits * prices.kinesisPerMillionPutUnits) / M,
    lambdaRequests: (usage.lambdaRequests * prices.lambdaPerMillionRequests) / M,
    lambdaDuration: usage.lambdaGbSeconds * prices.lambdaPerGbSecond,
    httpApi: (usage.httpApiRequests * prices.httpApiPerMillionRequests) / M,
    s3: (usage.s3Puts * prices.s3PerThousandPuts + usage.s3Gets * prices.s3PerThousandGets) / 1000,
    scheduler: (usage.schedulerInvocations * prices.schedulerPerMillionInvocations) / M,
  };
  const total = Object.values(parts).reduce((a, b) => a + b, 0);
  return { ...parts, total };
}

/** Dollars per 1M steps, when `usage` ran `steps` steps. */
export function costPerMillionSteps(usage: Usage, steps: number, prices: Prices = US_EAST_1): Cost {
  if (steps <= 0) throw new Error("steps must be positive");
  const perRun = costOf(usage, prices);
  const scale = M / steps;
  return Object.fromEntries(Object.entries(perRun).map(([k, v]) => [k, v * scale])) as unknown as Cost;
}

/** Lambda GB-seconds of `ms` milliseconds of duration at `memoryMb`. */
export function gbSeconds(ms: number, memoryMb: number): number {
  return (ms / 1000) * (memoryMb / 1024);
}

/** PUT payload units of a Kinesis record of `bytes` (one per 25 KB, at least one). */
export function kinesisPutUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / (25 * 1024)));
}

/**
 * Request units of one DynamoDB call when its consumed capacity is not known, from its item
 * count, assuming items of at most 1 KB (writes) and results of at most 4 KB per item (reads):
 * a TransactWriteItems costs 2 WRUs per item, a TransactGetItems 2 RRUs per item; a write
 * 1 WRU per item; a GetItem or BatchGetItem 1 RRU per key read strongly, 0.5 eventually; a Query
 * or Scan is counted as one 4 KB read (1 RRU strongly, 0.5 eventually) per call.
 */
export function estimatedUnits(
  operation: string,
  items: number,
  consistentRead = false,
): { wru: number; rru: number } {
  const read = consistentRead ? 1 : 0.5;
  switch (operation) {
    case "TransactWriteItems":
      return { wru: 2 * items, rru: 0 };
    case "TransactGetItems":
      return { wru: 0, rru: 2 * items };
    case "PutItem":
    case "UpdateItem":
    case "DeleteItem":
      return { wru: 1, rru: 0 };
    case "BatchWriteItem":
      return { wru: items, rru: 0 };
    case "GetItem":
      return { wru: 0, rru: read };
    case "BatchGetItem":
      return { wru: 0, rru: read * items };
    case "Query":
    case "Scan":
      return { wru: 0, rru: read };
    default:
      return { wru: 0, rru: 0 };
  }
}

/** Adds usages field by field. */
export function addUsage(a: Usage, b: Partial<Usage>): Usage {
  const out = { ...a };
  for (const [k, v] of Object.entries(b) as [keyof Usage, number][]) out[k] += v;
  return out;
}

/** A DynamoDB attribute value in the wire format (`{ "S": "..." }`, `{ "M": { ... } }`, ...). */
export type WireValue = Record<string, unknown>;

const utf8 = (s: string) => Buffer.byteLength(s, "utf8");
/** Bytes of a number as DynamoDB sizes it: about one byte per two significant digits, plus one. */
const numberBytes = (n: string) =>
  Math.ceil(n.replace(/^[-+]?0*|[.eE].*$/g, "").replace(/\./g, "").length / 2) + 1;
/** Bytes of binary data: as the SDK returns it, or sent as base64 on the wire. */
function binaryBytes(b: unknown): number {
  if (b instanceof Uint8Array) return b.byteLength;
  if (typeof b !== "string") return 0;
  return Math.floor((b.length * 3) / 4) - (b.endsWith("==") ? 2 : b.endsWith("=") ? 1 : 0);
}

/**
 * Bytes of one attribute value by DynamoDB's item size rules (approximately, for numbers); binary
 * values as base64 text (the wire) or bytes (the SDK's output).
 */
export function valueBytes(v: WireValue): number {
  if (typeof v.S === "string") return utf8(v.S);
  if (typeof v.N === "string") return numberBytes(v.N);
  if (v.B !== undefined) return binaryBytes(v.B);
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (Array.isArray(v.SS)) return (v.SS as string[]).reduce((n, s) => n + utf8(s), 0);
  if (Array.isArray(v.NS)) return (v.NS as string[]).reduce((n, s) => n + numberBytes(s), 0);
  if (Array.isArray(v.BS)) return (v.BS as unknown[]).reduce((n: number, s) => n + binaryBytes(s), 0);
  if (Array.isArray(v.L)) return 3 + (v.L as WireValue[]).reduce((n, e) => n + 1 + valueBytes(e), 0);
  if (v.M && typeof v.M === "object") return 3 + itemBytes(v.M as Record<string, WireValue>, 1);
  return 0;
}

/** Bytes of an item (attribute names plus values); `perEntry` is the 1 byte a map entry adds. */
export function itemBytes(item: Record<string, WireValue>, perEntry = 0): number {
  return Object.entries(item).reduce((n, [name, v]) => n + utf8(name) + valueBytes(v) + perEntry, 0);
}

/** Write request units of one item of `bytes` in a transaction: 2 per started KB. */
export function transactionWru(bytes: number): number {
  return 2 * Math.max(1, Math.ceil(bytes / 1024));
}
