/**
 * `npm run cost`: the monthly bill of a Tideline stack at us-east-1 list prices, no free tier.
 * 1. Fixed cost at idle, read off the synthesized template (default settings, then a provisioned
 *    one-shard stream): stream, alarms, dashboard, secrets, keys, the mappings' SQS polling and
 *    the recovery sweep.
 * 2. What a million steps leave in storage: each step result is kept its retention plus the state
 *    horizon (shared/adapters/aws/runExpiry.ts), with point-in-time recovery on the table.
 * The per-request cost of steps (DynamoDB, SQS, Lambda, Kinesis) is measured by `npm run bench:fast`.
 */
import { ratePeriodSeconds } from "../../infra/stack/constructs/Scheduling.js";
import type { TidelineStackProps } from "../../infra/stack/TidelineStack.js";
import { STATE_HORIZON_MS } from "../../shared/adapters/aws/runExpiry.js";
import { RUN_INDEX_SHARDS } from "../../shared/resources.js";
import { resourcesOfType, type Synthesized, synthesize } from "../unit/infra/fixture.js";
import { type IdleResources, idleCost, total } from "./fixedCost.js";

/** The template, synthesized as the infra tests do (cdk.json's context, no bundling). */
const template = (props: TidelineStackProps) => synthesize(props, { bundle: false });

/** The logical id an `Fn::GetAtt` or `Ref` points at. */
function target(value: unknown): string | undefined {
  if (value && typeof value === "object") {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v["Fn::GetAtt"])) return String(v["Fn::GetAtt"][0]);
    if (typeof v.Ref === "string") return v.Ref;
  }
  return undefined;
}

function idleResources(synth: Synthesized): IdleResources {
  const ofType = (type: string) => resourcesOfType(synth, type);
  return {
    kinesis: ofType("AWS::Kinesis::Stream").map(([, r]) => {
      const mode = (r.Properties?.StreamModeDetails as { StreamMode?: string } | undefined)?.StreamMode;
      return mode === "PROVISIONED"
        ? { mode: "PROVISIONED" as const, shards: Number(r.Properties?.ShardCount ?? 1) }
        : { mode: "ON_DEMAND" as const, shards: 0 };
    }),
    alarmMetrics: ofType("AWS::CloudWatch::Alarm").map(([, r]) => {
      const metrics = r.Properties?.Metrics as { MetricStat?: unknown }[] | undefined;
      return metrics ? metrics.filter((m) => m.MetricStat !== undefined).length : 1;
    }),
    dashboards: ofType("AWS::CloudWatch::Dashboard").length,
    secrets: ofType("AWS::SecretsManager::Secret").length,
    kmsKeys: ofType("AWS::KMS::Key").length,
    sqsMappings: ofType("AWS::Lambda::EventSourceMapping").flatMap(([, r]) => {
      const queue = synth.resources[target(r.Properties?.EventSourceArn) ?? ""];
      return queue?.Type === "AWS::SQS::Queue" ? [{ fifo: queue.Properties?.FifoQueue === true }] : [];
    }),
    recurring: ofType("AWS::Scheduler::Schedule").map(([, r]) => ({
      periodSeconds: ratePeriodSeconds(String(r.Properties?.ScheduleExpression)),
      // The recovery sweep reads every shard of the runs table's `active` index once.
      queriesPerRun: RUN_INDEX_SHARDS,
    })),
  };
}

function print(title: string, synth: Synthesized): void {
  const lines = idleCost(idleResources(synth));
  console.log(`\n${title}`);
  for (const l of lines)
    console.log(`  ${l.item.padEnd(44)} $${l.monthly.toFixed(2).padStart(6)}  ${l.arithmetic}`);
  console.log(`  ${"Total".padEnd(44)} $${total(lines).toFixed(2).padStart(6)}`);
}

print("Fixed monthly cost at idle, default settings", template({}));
print(
  "Fixed monthly cost at idle, provisioned one-shard stream",
  template({ kinesisMode: "provisioned", kinesisShards: 1 }),
);

const STORAGE_GB_MONTH = 0.25;
const PITR_GB_MONTH = 0.2;
const retentionDays = Number(process.env.RETENTION_DAYS ?? 30);
const stepItemKb = Number(process.env.STEP_ITEM_KB ?? 1);
const months = (retentionDays + STATE_HORIZON_MS / 86_400_000) / (365 / 12);
const gbMonths = (1e6 * stepItemKb * months) / (1024 * 1024);
console.log(
  `\nStorage of 1M step results (${stepItemKb} KB each, kept ${retentionDays} + ${STATE_HORIZON_MS / 86_400_000} days = ${months.toFixed(1)} months): ` +
    `${gbMonths.toFixed(1)} GB-months × ($${STORAGE_GB_MONTH} storage + $${PITR_GB_MONTH} PITR) = $${(gbMonths * (STORAGE_GB_MONTH + PITR_GB_MONTH)).toFixed(2)}`,
);
