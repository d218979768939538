/**
 * What runs use on AWS, in the units AWS bills, and how calls map to those units. Pure: the
 * handlers measure usage with it, core/observability/awsCost.ts prices it.
 */

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

/** Lambda GB-seconds of `ms` milliseconds of duration at `memoryMb`. */
export function gbSeconds(ms: number, memoryMb: number): number {
  return (ms / 1000) * (memoryMb / 1024);
}

/** PUT payload units of a Kinesis record of `bytes` (one per 25 KB, at least one). */
export function kinesisPutUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / (25 * 1024)));
}

/** SQS requests of a call carrying `bytes` of messages (one per 64 KB chunk, at least one). */
export function sqsRequests(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / (64 * 1024)));
}

/** Adds usages field by field. */
export function addUsage(a: Usage, b: Partial<Usage>): Usage {
  const out = { ...a };
  for (const [k, v] of Object.entries(b) as [keyof Usage, number][]) out[k] += v;
  return out;
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

/** What one run used: the AWS calls its jobs made (priced as `usage`) and its jobs' Lambda time. */
export interface RunUsage {
  readonly usage: Usage;
  /** AWS API calls counted. */
  readonly calls: number;
  /** Jobs (executor and timer deliveries) whose calls were counted. */
  readonly jobs: number;
  /** Lambda milliseconds of those jobs, at the function's memory (`usage.lambdaGbSeconds` prices it). */
  readonly lambdaMs: number;
}

export const NO_RUN_USAGE: RunUsage = { usage: NO_USAGE, calls: 0, jobs: 0, lambdaMs: 0 };

export function addRunUsage(a: RunUsage, b: RunUsage): RunUsage {
  return {
    usage: addUsage(a.usage, b.usage),
    calls: a.calls + b.calls,
    jobs: a.jobs + b.jobs,
    lambdaMs: a.lambdaMs + b.lambdaMs,
  };
}
