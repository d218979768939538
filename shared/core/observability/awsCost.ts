/**
 * List-price cost of what runs use on AWS (us-east-1, on-demand, no free tier). Pure, so its
 * arithmetic is unit tested; the benchmarks and the per-run cost the API shows both price usage
 * with it.
 */
import type { RunUsage, Usage } from "../../domain/awsUsage.js";

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

/** One AWS service's share of a run's cost, with the units it was priced from. */
export interface ServiceCost {
  readonly service: string;
  readonly usd: number;
  readonly detail: string;
}

export interface AwsCostView {
  readonly usd: number;
  readonly calls: number;
  readonly jobs: number;
  readonly lambdaMs: number;
  /** Services with any usage, most expensive first. */
  readonly services: ServiceCost[];
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(n < 1 ? 3 : 1));

/** A run's usage priced by service, for the API (and the dashboard) to show. */
export function awsCostView(run: RunUsage, prices: Prices = US_EAST_1): AwsCostView {
  const u = run.usage;
  const cost = costOf(u, prices);
  const services: ServiceCost[] = [
    { service: "DynamoDB", usd: cost.dynamodb, detail: `${fmt(u.dynamoWru)} WRU, ${fmt(u.dynamoRru)} RRU` },
    {
      service: "SQS",
      usd: cost.sqs,
      detail: `${fmt(u.sqsFifoRequests)} FIFO, ${fmt(u.sqsStandardRequests)} standard requests`,
    },
    { service: "S3", usd: cost.s3, detail: `${fmt(u.s3Puts)} PUT, ${fmt(u.s3Gets)} GET` },
    { service: "Kinesis", usd: cost.kinesis, detail: `${fmt(u.kinesisPutUnits)} PUT payload units` },
    {
      service: "Lambda",
      usd: cost.lambdaRequests + cost.lambdaDuration,
      detail: `${fmt(u.lambdaRequests)} requests, ${fmt(u.lambdaGbSeconds)} GB-s`,
    },
    { service: "Scheduler", usd: cost.scheduler, detail: `${fmt(u.schedulerInvocations)} invocations` },
    { service: "API Gateway", usd: cost.httpApi, detail: `${fmt(u.httpApiRequests)} requests` },
  ];
  return {
    usd: cost.total,
    calls: run.calls,
    jobs: run.jobs,
    lambdaMs: run.lambdaMs,
    services: services.filter((s) => s.usd > 0).sort((a, b) => b.usd - a.usd),
  };
}
