/**
 * What a deployed stack costs a month before it runs anything: read off the synthesized template
 * (`idleResources`) and priced at us-east-1 list prices, no free tier (`idleCost`). Pure, so the
 * arithmetic is unit tested (test/unit/bench/fixedCost.test.ts); `npm run cost` prints it.
 */
import { US_EAST_1 } from "./costModel.js";

/** Hours AWS bills in a month (365 × 24 / 12). */
export const HOURS_PER_MONTH = 730;
const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;

/** US dollars, us-east-1 list prices (the request prices are the cost model's). */
export const IDLE_PRICES = {
  /** Kinesis on-demand: per stream-hour. */
  kinesisOnDemandStreamHour: 0.04,
  /** Kinesis provisioned: per shard-hour. */
  kinesisShardHour: 0.015,
  /** CloudWatch: per standard-resolution alarm metric a month (a math alarm pays per metric). */
  alarmMetricMonth: 0.1,
  /** CloudWatch: per dashboard a month (beyond the account's first three). */
  dashboardMonth: 3,
  /** Secrets Manager: per secret a month. */
  secretMonth: 0.4,
  /** KMS: per customer managed key a month. */
  kmsKeyMonth: 1,
  sqsStandardPerMillion: US_EAST_1.sqsStandardPerMillionRequests,
  sqsFifoPerMillion: US_EAST_1.sqsFifoPerMillionRequests,
  schedulerPerMillion: US_EAST_1.schedulerPerMillionInvocations,
  lambdaPerMillion: US_EAST_1.lambdaPerMillionRequests,
  dynamoPerMillionRru: US_EAST_1.dynamoPerMillionRru,
} as const;

/**
 * Lambda polls an SQS queue it is mapped to even when the queue is empty: AWS documents five
 * long-polling connections per mapping at the start, each ReceiveMessage waiting up to 20 s.
 */
export const SQS_IDLE_POLLERS = 5;
export const SQS_LONG_POLL_SECONDS = 20;

/** What the template holds that costs money while nothing runs. */
export interface IdleResources {
  kinesis: { mode: "ON_DEMAND" | "PROVISIONED"; shards: number }[];
  /** Metrics per alarm (1 for a plain alarm, the metric count of a math alarm). */
  alarmMetrics: number[];
  dashboards: number;
  secrets: number;
  kmsKeys: number;
  sqsMappings: { fifo: boolean }[];
  /** Recurring schedules: seconds between runs, and the Query calls each run makes. */
  recurring: { periodSeconds: number; queriesPerRun: number }[];
}

export interface LineItem {
  item: string;
  monthly: number;
  arithmetic: string;
}

const money = (n: number) => `$${n.toFixed(2)}`;

/** The month's fixed cost, one line per kind of resource, with its arithmetic. */
export function idleCost(r: IdleResources, p = IDLE_PRICES): LineItem[] {
  const lines: LineItem[] = [];
  for (const k of r.kinesis) {
    lines.push(
      k.mode === "ON_DEMAND"
        ? {
            item: "Kinesis stream (on-demand)",
            monthly: HOURS_PER_MONTH * p.kinesisOnDemandStreamHour,
            arithmetic: `${HOURS_PER_MONTH} h × ${money(p.kinesisOnDemandStreamHour)}/stream-hour`,
          }
        : {
            item: `Kinesis stream (provisioned, ${k.shards} shard${k.shards === 1 ? "" : "s"})`,
            monthly: HOURS_PER_MONTH * k.shards * p.kinesisShardHour,
            arithmetic: `${HOURS_PER_MONTH} h × ${k.shards} × $${p.kinesisShardHour}/shard-hour`,
          },
    );
  }
  const metrics = r.alarmMetrics.reduce((a, b) => a + b, 0);
  lines.push({
    item: `CloudWatch alarms (${r.alarmMetrics.length})`,
    monthly: metrics * p.alarmMetricMonth,
    arithmetic: `${metrics} alarm metrics × ${money(p.alarmMetricMonth)}`,
  });
  if (r.dashboards > 0) {
    lines.push({
      item: "CloudWatch dashboard",
      monthly: r.dashboards * p.dashboardMonth,
      arithmetic: `${r.dashboards} × ${money(p.dashboardMonth)} (free if the account has fewer than 3)`,
    });
  }
  lines.push({
    item: "Secrets Manager",
    monthly: r.secrets * p.secretMonth,
    arithmetic: `${r.secrets} secret${r.secrets === 1 ? "" : "s"} × ${money(p.secretMonth)}`,
  });
  if (r.kmsKeys > 0) {
    lines.push({
      item: "KMS customer managed keys",
      monthly: r.kmsKeys * p.kmsKeyMonth,
      arithmetic: `${r.kmsKeys} × ${money(p.kmsKeyMonth)}`,
    });
  }
  const receivesPerMapping = (SECONDS_PER_MONTH / SQS_LONG_POLL_SECONDS) * SQS_IDLE_POLLERS;
  const fifo = r.sqsMappings.filter((m) => m.fifo).length;
  const standard = r.sqsMappings.length - fifo;
  lines.push({
    item: "SQS polling by the Lambda mappings",
    monthly: (receivesPerMapping * (fifo * p.sqsFifoPerMillion + standard * p.sqsStandardPerMillion)) / 1e6,
    arithmetic:
      `${SQS_IDLE_POLLERS} pollers × ${SECONDS_PER_MONTH / SQS_LONG_POLL_SECONDS} receives of ${SQS_LONG_POLL_SECONDS} s ` +
      `× (${fifo} FIFO × $${p.sqsFifoPerMillion} + ${standard} standard × $${p.sqsStandardPerMillion}) per 1M`,
  });
  for (const s of r.recurring) {
    const runs = SECONDS_PER_MONTH / s.periodSeconds;
    const perRun = (p.schedulerPerMillion + p.sqsStandardPerMillion * 3 + p.lambdaPerMillion) / 1e6;
    const reads = (runs * s.queriesPerRun * 0.5 * p.dynamoPerMillionRru) / 1e6;
    lines.push({
      item: `Recurring schedule every ${s.periodSeconds / 60} min`,
      monthly: runs * perRun + reads,
      arithmetic:
        `${runs} runs × (invocation + send, receive, delete + Lambda request) ` +
        `+ ${runs * s.queriesPerRun} index queries × 0.5 RRU`,
    });
  }
  return lines;
}

export function total(lines: readonly LineItem[]): number {
  return lines.reduce((a, l) => a + l.monthly, 0);
}
