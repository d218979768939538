/**
 * Per-environment settings of a Tideline stack: one schema for both ways in, stack props
 * (`new TidelineStack(app, id, { stage: "prod" })`) and CDK context (`cdk deploy -c stage=prod`).
 * Each context key is the prop's name; context values arrive as strings (`-c runRetentionDays=90`)
 * or as JSON from cdk.json, and maps are written `name=value,name=value` on the command line.
 * A bad value fails synthesis with a message naming the key and the value.
 */
import { RemovalPolicy, type Stack, Tags } from "aws-cdk-lib";
import type { Node } from "constructs";
import * as z from "zod";
import { FUNCTIONS, type FunctionName, STATE_HORIZON_DAYS } from "../../shared/resources.js";
import type { CustomDomain, RouteThrottle } from "./constructs/HttpEndpoints.js";

const LOG_LEVELS = ["DEBUG", "INFO", "WARN", "ERROR", "SILENT"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
const REMOVAL_POLICIES = ["retain", "destroy"] as const;
export type RemovalPolicyName = (typeof REMOVAL_POLICIES)[number];
const KINESIS_MODES = ["onDemand", "provisioned"] as const;
export type KinesisMode = (typeof KINESIS_MODES)[number];

/** The settings a stack takes as props and as context, each optional (DEFAULTS fills the gaps). */
export interface TidelineSettingsProps {
  /**
   * Environment name: the `tideline:stage` tag and the stack name `Tideline-<stage>` that
   * infra/app.ts gives the stack. Lowercase letters, digits and hyphens, starting with a letter.
   */
  readonly stage?: string;
  /** Days an ended run (and its steps) is kept: TIDELINE_RUN_RETENTION_DAYS, 1–3650. */
  readonly runRetentionDays?: number;
  /** Days an event record is kept: TIDELINE_EVENT_RETENTION_DAYS, 1–3650. */
  readonly eventRetentionDays?: number;
  /** Memory (MB, 128–10240) per function, by manifest key, overriding `FUNCTIONS[*].memoryMb`. */
  readonly memoryMb?: Partial<Record<FunctionName, number>>;
  /** Handler log level: TIDELINE_LOG_LEVEL (lambdas/middleware.ts) and POWERTOOLS_LOG_LEVEL. */
  readonly logLevel?: LogLevel;
  /**
   * `retain` (default) keeps the tables (with deletion protection), the payload bucket, the events
   * stream and the signing-key secret when the stack is deleted or a resource replaced. `destroy`
   * is for throwaway stages: everything goes with the stack, the bucket emptied first.
   */
  readonly removalPolicy?: RemovalPolicyName;
  /** Custom domain for the HTTP API (with certificateArn): an API Gateway domain name and mapping. */
  readonly domainName?: string;
  /** ACM certificate for domainName, in the stack's region (regional endpoint). */
  readonly certificateArn?: string;
  /** Events stream capacity: `onDemand` (default) scales by itself; `provisioned` has kinesisShards. */
  readonly kinesisMode?: KinesisMode;
  /** Shards of a provisioned events stream (1–1000, default 1). Only with kinesisMode provisioned. */
  readonly kinesisShards?: number;
  /** More tags for every resource, beside `tideline:stage` and `tideline:stack`. */
  readonly resourceTags?: Record<string, string>;
  /** Most executor invocations at once (SQS MaximumConcurrency, 2–1000). */
  readonly executorMaxConcurrency?: number;
  /** Most timer invocations at once (SQS MaximumConcurrency, 2–1000). */
  readonly timerMaxConcurrency?: number;
  /**
   * Concurrency reserved for the event API, so no other function can starve event intake; 0 (the
   * default) reserves none. Reserved concurrency is also the event API's ceiling, and Lambda keeps
   * 100 of the account's quota unreserved: deploying needs a Lambda concurrency quota of at least
   * this value + 100 (a new account's quota may be 10: ask for a raise first).
   */
  readonly eventApiReservedConcurrency?: number;
  /** Steady-state requests per second API Gateway lets through to `POST /e/{eventKey}`. */
  readonly eventApiRateLimit?: number;
  /** Burst (token bucket size) of `POST /e/{eventKey}`. */
  readonly eventApiBurstLimit?: number;
  /**
   * Steady-state requests per second of every other route (`$default`: sync, REST with the SDKs'
   * checkpoints, GraphQL, /dev).
   */
  readonly apiRateLimit?: number;
  /** Burst of every other route (`$default`). */
  readonly apiBurstLimit?: number;
  /**
   * Record what each run costs on AWS (default true): every executor and timer job adds its calls
   * to the run's usage item, one more DynamoDB write per job. `false` drops that write; the API's
   * `awsCost` is then null and the dashboard shows no cost.
   */
  readonly runCosts?: boolean;
}

/**
 * What a setting left out becomes. With these, the asynchronous consumers take at most 100
 * (executor) + 10 (timer) + 10 per stream shard (the runner's parallelization factor: 40 on a new
 * on-demand stream's 4 shards) concurrent executions, about 150, so Lambda's usual quota of 1,000
 * leaves some 850 to the event API and the API however long the executor's jobs run. The executor's
 * cap is also Tideline's ceiling on SDK calls in flight: raise it with the load.
 */
export const DEFAULTS = {
  stage: "dev",
  runRetentionDays: 30,
  eventRetentionDays: 30,
  logLevel: "WARN",
  removalPolicy: "retain",
  kinesisMode: "onDemand",
  kinesisShards: 1,
  executorMaxConcurrency: 100,
  timerMaxConcurrency: 10,
  eventApiReservedConcurrency: 0,
  eventApiRateLimit: 2000,
  eventApiBurstLimit: 1000,
  apiRateLimit: 1000,
  apiBurstLimit: 500,
  runCosts: true,
} as const satisfies TidelineSettingsProps;

/** What the settings ask of one function (unset: the manifest's value, or no limit). */
export interface FunctionSettings {
  readonly memoryMb?: number;
  /** Reserved concurrent executions. */
  readonly reservedConcurrency?: number;
  /** MaximumConcurrency of the function's SQS event-source mapping. */
  readonly maxConcurrency?: number;
  /** Throttling of the function's HTTP routes. */
  readonly throttle?: RouteThrottle;
}

/** The settings with every default applied, shaped for the constructs that use them. */
export interface Settings {
  readonly stage: string;
  readonly runRetentionDays: number;
  readonly eventRetentionDays: number;
  readonly logLevel: LogLevel;
  readonly removalPolicy: RemovalPolicyName;
  readonly customDomain?: CustomDomain;
  readonly kinesis: { readonly mode: "onDemand" } | { readonly mode: "provisioned"; readonly shards: number };
  readonly resourceTags: Readonly<Record<string, string>>;
  readonly functions: Readonly<Record<FunctionName, FunctionSettings>>;
  readonly runCosts: boolean;
}

const FUNCTION_NAMES = Object.keys(FUNCTIONS) as [FunctionName, ...FunctionName[]];
/** Tags the stack sets itself. */
const STAGE_TAG = "tideline:stage";
const STACK_TAG = "tideline:stack";

const NUMERIC = /^\s*-?\d+(\.\d+)?\s*$/;
/** Context values come as strings: "90" becomes 90, anything else is left for the schema to refuse. */
const numeric = (v: unknown): unknown => (typeof v === "string" && NUMERIC.test(v) ? Number(v) : v);

function intIn(min: number, max: number) {
  const message = `must be an integer from ${min} to ${max}`;
  return z.preprocess(
    numeric,
    z.number({ error: message }).refine((n) => Number.isInteger(n) && n >= min && n <= max, message),
  );
}

function numberIn(min: number, max: number) {
  const message = `must be a number from ${min} to ${max}`;
  return z.preprocess(
    numeric,
    z.number({ error: message }).refine((n) => Number.isFinite(n) && n >= min && n <= max, message),
  );
}

/** `a=1,b=2` (the command-line form of a map) as an object; other values pass unchanged. */
function pairs(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const entries = v
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => {
      const at = part.indexOf("=");
      return at > 0 ? [part.slice(0, at).trim(), part.slice(at + 1).trim()] : undefined;
    });
  return entries.every((e) => e !== undefined) ? Object.fromEntries(entries) : v;
}

/** The messages of a map that is not one or has keys it may not have; its values keep their own. */
function mapErrors(form: string, keys?: readonly string[]) {
  return (issue: { readonly code: string }) => {
    if (issue.code === "invalid_type") return `must be ${form}`;
    if (issue.code === "unrecognized_keys" && keys) return `takes only the keys ${keys.join(", ")}`;
    return undefined;
  };
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of ${values.join(", ")}` });
}

const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const tagKey = z
  .string()
  .refine((k) => k.length >= 1 && k.length <= 128 && TAG_TEXT.test(k) && !k.startsWith("aws:"), {
    error: "tag keys are 1–128 letters, digits, spaces or _.:/=+-@ and may not start with aws:",
  })
  .refine((k) => k !== STAGE_TAG && k !== STACK_TAG, {
    error: `the stack sets ${STAGE_TAG} and ${STACK_TAG}`,
  });
const tagValue = z
  .string({ error: "tag values must be strings" })
  .refine((v) => v.length <= 256 && TAG_TEXT.test(v), {
    error: "tag values are up to 256 letters, digits, spaces or _.:/=+-@",
  });

const ACM_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/;
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

const fields = {
  stage: z
    .string({ error: "must be a string" })
    .regex(
      /^[a-z][a-z0-9-]{0,19}$/,
      "must be 1–20 lowercase letters, digits or hyphens, starting with a letter",
    ),
  runRetentionDays: intIn(1, 3650),
  eventRetentionDays: intIn(1, 3650),
  memoryMb: z.preprocess(
    pairs,
    z.partialRecord(z.enum(FUNCTION_NAMES), intIn(128, 10240), {
      error: mapErrors("function=megabytes pairs (executor=1024,runner=2048)", FUNCTION_NAMES),
    }),
  ),
  logLevel: z.preprocess((v) => (typeof v === "string" ? v.toUpperCase() : v), oneOf(LOG_LEVELS)),
  removalPolicy: oneOf(REMOVAL_POLICIES),
  domainName: z.string({ error: "must be a hostname" }).regex(HOSTNAME, "must be a lowercase hostname"),
  certificateArn: z
    .string({ error: "must be an ACM certificate ARN" })
    .regex(ACM_ARN, "must be an ACM certificate ARN"),
  kinesisMode: oneOf(KINESIS_MODES),
  kinesisShards: intIn(1, 1000),
  resourceTags: z.preprocess(
    pairs,
    z.record(tagKey, tagValue, { error: mapErrors("key=value pairs (team=payments,owner=ops)") }),
  ),
  executorMaxConcurrency: intIn(2, 1000),
  timerMaxConcurrency: intIn(2, 1000),
  eventApiReservedConcurrency: intIn(0, 10000),
  eventApiRateLimit: numberIn(1, 1_000_000),
  eventApiBurstLimit: intIn(1, 1_000_000),
  apiRateLimit: numberIn(1, 1_000_000),
  apiBurstLimit: intIn(1, 1_000_000),
  // Context values are strings: "true" and "false" are the booleans.
  runCosts: z.preprocess(
    (v) => (v === "true" ? true : v === "false" ? false : v),
    z.boolean({ error: "must be true or false" }),
  ),
};

/** Every setting's name: the prop and the context key. */
const SETTING_KEYS = Object.keys(fields) as (keyof typeof fields)[];

const schema = z
  .object(fields)
  .partial()
  .superRefine((s, ctx) => {
    if (s.domainName !== undefined && s.certificateArn === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["domainName"],
        input: s.domainName,
        message: "needs certificateArn too (the domain's ACM certificate)",
      });
    }
    if (s.certificateArn !== undefined && s.domainName === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["certificateArn"],
        input: s.certificateArn,
        message: "needs domainName too (the domain the certificate is for)",
      });
    }
    if (s.kinesisShards !== undefined && s.kinesisMode !== "provisioned") {
      ctx.addIssue({
        code: "custom",
        path: ["kinesisShards"],
        input: s.kinesisShards,
        message: "applies only with kinesisMode=provisioned (on-demand streams size themselves)",
      });
    }
  });

/** Validates settings from `source` ("props" or "context"); throws naming each bad key and value. */
export function parseSettings(raw: unknown, source: string): TidelineSettingsProps {
  const result = schema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  throw new Error(
    `Invalid Tideline settings in ${source}: ${describeIssues(result.error.issues).join("; ")}`,
  );
}

/** One line per problem: the setting's path, what it must be, and the value it got. */
function describeIssues(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): string[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    // A bad key of a map (memoryMb, resourceTags): the key's own issues say what is wrong with it.
    if (issue.code === "invalid_key") {
      return describeIssues(issue.issues, path);
    }
    const got = issue.input !== undefined ? ` (got ${JSON.stringify(issue.input)})` : "";
    return [`${path.map(String).join(".")} ${issue.message}${got}`];
  });
}

/** The settings given as CDK context (`-c key=value` or cdk.json), validated; absent keys stay absent. */
export function settingsFromContext(node: Node): TidelineSettingsProps {
  const raw: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const value: unknown = node.tryGetContext(key);
    if (value !== undefined) raw[key] = value;
  }
  return parseSettings(raw, "context");
}

/** The stack name infra/app.ts uses for a stage: two stages side by side never share a name. */
export function stackNameFor(stage: string): string {
  return `Tideline-${stage}`;
}

/** Validates the props' settings and fills in the defaults. */
export function resolveSettings(props: TidelineSettingsProps): Settings {
  const s = { ...DEFAULTS, ...parseSettings(pick(props), "props") };
  const memory: Partial<Record<FunctionName, number>> = s.memoryMb ?? {};
  return {
    stage: s.stage,
    runRetentionDays: s.runRetentionDays,
    eventRetentionDays: s.eventRetentionDays,
    logLevel: s.logLevel,
    removalPolicy: s.removalPolicy,
    customDomain:
      s.domainName !== undefined && s.certificateArn !== undefined
        ? { domainName: s.domainName, certificateArn: s.certificateArn }
        : undefined,
    kinesis:
      s.kinesisMode === "provisioned"
        ? { mode: "provisioned", shards: s.kinesisShards }
        : { mode: "onDemand" },
    resourceTags: s.resourceTags ?? {},
    functions: {
      eventApi: {
        memoryMb: memory.eventApi,
        reservedConcurrency: s.eventApiReservedConcurrency || undefined,
        throttle: { rateLimit: s.eventApiRateLimit, burstLimit: s.eventApiBurstLimit },
      },
      api: { memoryMb: memory.api, throttle: { rateLimit: s.apiRateLimit, burstLimit: s.apiBurstLimit } },
      runner: { memoryMb: memory.runner },
      executor: { memoryMb: memory.executor, maxConcurrency: s.executorMaxConcurrency },
      timer: { memoryMb: memory.timer, maxConcurrency: s.timerMaxConcurrency },
    },
    runCosts: s.runCosts,
  };
}

/** Only the settings' keys of a props object (stack props carry more), and only those given. */
function pick(props: TidelineSettingsProps): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) if (props[key] !== undefined) out[key] = props[key];
  return out;
}

/** The variables every function gets from the settings (read by shared/config.ts and the middleware). */
export function functionEnvironment(s: Settings): Record<string, string> {
  return {
    TIDELINE_RUN_RETENTION_DAYS: String(s.runRetentionDays),
    TIDELINE_EVENT_RETENTION_DAYS: String(s.eventRetentionDays),
    TIDELINE_LOG_LEVEL: s.logLevel,
    POWERTOOLS_LOG_LEVEL: s.logLevel,
    TIDELINE_RUN_COSTS: s.runCosts ? "on" : "off",
  };
}

/**
 * Days after which an object of the payload bucket expires: the longer retention plus the state
 * horizon (the longest sleep or wait, plus a day: shared/adapters/aws/runExpiry.ts), the same life
 * a step result's DynamoDB item gets. A run that lives longer has its payloads written again by the
 * run store when it renews their items, which restarts their age.
 */
export function payloadExpirationDays(runRetentionDays: number, eventRetentionDays: number): number {
  return Math.max(runRetentionDays, eventRetentionDays) + STATE_HORIZON_DAYS;
}

/** The CDK removal policy of a stateful resource (tables, bucket, stream, signing key) under the setting. */
export function removalPolicyOf(name: RemovalPolicyName | undefined): RemovalPolicy {
  return name === "destroy" ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
}

/** `tideline:stage`, `tideline:stack` and the settings' tags on every resource of `stack`. */
export function tagResources(stack: Stack, s: Settings): void {
  Tags.of(stack).add(STAGE_TAG, s.stage);
  Tags.of(stack).add(STACK_TAG, stack.stackName);
  for (const [key, value] of Object.entries(s.resourceTags)) Tags.of(stack).add(key, value);
}
