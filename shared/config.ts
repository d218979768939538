/**
 * Runtime configuration, parsed once from the environment with one schema. Handlers call
 * `loadConfig()` at cold start; resource names come from the manifest's env variables.
 */
import * as z from "zod";
import { arnEnv, BUCKETS, QUEUES, resourceEnvNames, SCHEDULER, STREAMS, TABLES } from "./resources.js";

const csv = z
  .string()
  .optional()
  .transform((s) =>
    (s ?? "")
      .split(",")
      .map((x) => x.trim())
      .filter((x) => x.length > 0),
  );

const schema = z.object({
  TIDELINE_MODE: z.enum(["dev", "cloud"]).default("cloud"),
  /** Plain signing key (`signkey-<env>-<hex>`); in AWS it comes from Secrets Manager instead. */
  TIDELINE_SIGNING_KEY: z.string().optional(),
  TIDELINE_SIGNING_KEY_FALLBACK: z.string().optional(),
  /** sha256 hex of each accepted event key (event keys are never stored in clear). */
  TIDELINE_EVENT_KEY_HASHES: csv,
  /** sha256 hex of each API key accepted as bearer token by REST and GraphQL (beside the signing key). */
  TIDELINE_API_KEY_HASHES: csv,
  /** Fixed delay between retries instead of the official backoff table (like `--retry-interval`). */
  TIDELINE_RETRY_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(86400).optional(),
  TIDELINE_EVENT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  TIDELINE_RUN_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /**
   * The longest delay put on the timers queue (SQS allows 900 s); longer ones go through a
   * Scheduler at() aimed at most this far early. Lowered only to exercise the Scheduler path.
   */
  TIDELINE_TIMER_QUEUE_MAX_DELAY_SECONDS: z.coerce.number().int().min(1).max(900).default(900),
  /** Record each run's AWS usage (one write per job) for its cost in the API and dashboard. */
  TIDELINE_RUN_COSTS: z
    .enum(["on", "off"], { error: "must be on or off" })
    .default("on")
    .transform((v) => v === "on"),
  /** Accept unsigned SDK responses although a signing key is set (SDKs too old to sign). */
  TIDELINE_ALLOW_UNSIGNED_RESPONSES: z
    .enum(["true", "false", "1", "0"])
    .default("false")
    .transform((v) => v === "true" || v === "1"),
});

export interface TidelineConfig {
  mode: "dev" | "cloud";
  signingKeys: string[];
  eventKeyHashes: string[];
  apiKeyHashes: string[];
  retryIntervalSeconds?: number;
  allowUnsignedResponses: boolean;
  /** Whether jobs record their run's AWS usage (TIDELINE_RUN_COSTS). */
  runCosts: boolean;
  timerQueueMaxDelaySeconds: number;
  eventRetentionDays: number;
  runRetentionDays: number;
  tables: { registry: string; events: string; runs: string; pauses: string; flow: string };
  queues: { work: string; timers: string; timersArn: string; timersDlqArn: string };
  stream: string;
  bucket: string;
  scheduleGroup: string;
  schedulerRoleArn: string;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): TidelineConfig {
  const parsed = schema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  for (const name of resourceEnvNames()) if (!env[name]) problems.push(`${name}: required`);
  if (!parsed.success || problems.length > 0) {
    throw new ConfigError(`Invalid Tideline configuration: ${problems.join("; ")}`);
  }
  const e = parsed.data;
  const get = (k: string): string => String(env[k]);
  return {
    mode: e.TIDELINE_MODE,
    signingKeys: [e.TIDELINE_SIGNING_KEY, e.TIDELINE_SIGNING_KEY_FALLBACK].filter(
      (k): k is string => typeof k === "string" && k.length > 0,
    ),
    eventKeyHashes: e.TIDELINE_EVENT_KEY_HASHES,
    apiKeyHashes: e.TIDELINE_API_KEY_HASHES.map((h) => h.toLowerCase()),
    retryIntervalSeconds: e.TIDELINE_RETRY_INTERVAL_SECONDS,
    allowUnsignedResponses: e.TIDELINE_ALLOW_UNSIGNED_RESPONSES,
    runCosts: e.TIDELINE_RUN_COSTS,
    timerQueueMaxDelaySeconds: e.TIDELINE_TIMER_QUEUE_MAX_DELAY_SECONDS,
    eventRetentionDays: e.TIDELINE_EVENT_RETENTION_DAYS,
    runRetentionDays: e.TIDELINE_RUN_RETENTION_DAYS,
    tables: {
      registry: get(TABLES.registry.env),
      events: get(TABLES.events.env),
      runs: get(TABLES.runs.env),
      pauses: get(TABLES.pauses.env),
      flow: get(TABLES.flow.env),
    },
    queues: {
      work: get(QUEUES.work.env),
      timers: get(QUEUES.timers.env),
      timersArn: get(arnEnv(QUEUES.timers)),
      timersDlqArn: get(arnEnv(QUEUES.timersDlq)),
    },
    stream: get(STREAMS.events.env),
    bucket: get(BUCKETS.payloads.env),
    scheduleGroup: get(SCHEDULER.groupEnv),
    schedulerRoleArn: get(SCHEDULER.roleArnEnv),
  };
}
