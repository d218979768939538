/**
 * Tideline on AWS: the manifest's data stores, the Scheduler group and role, the signing-key
 * secret, the five Lambdas with least-privilege bindings, their event-source mappings and the
 * HTTP API. Env-agnostic (no account or region at synth), so `cdk synth` runs offline.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from "aws-cdk-lib";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";
import { BUCKETS, QUEUES, STREAMS, TABLES } from "../../shared/resources.js";
import {
  allAddresses,
  bindBucket,
  bindQueue,
  bindScheduler,
  bindSigningKey,
  bindStream,
  bindTable,
} from "./constructs/bind.js";
import { DataStores } from "./constructs/DataStores.js";
import { connectExecutor, connectRunner, connectTimer } from "./constructs/eventSources.js";
import { HttpEndpoints } from "./constructs/HttpEndpoints.js";
import { Scheduling } from "./constructs/Scheduling.js";
import {
  type LambdaEntry,
  TidelineFunction,
  type TidelineFunctionProps,
} from "./constructs/TidelineFunction.js";

/** Environment variable with the accepted event keys' sha256 hashes (read by shared/config.ts). */
export const EVENT_KEY_HASHES_ENV = "TIDELINE_EVENT_KEY_HASHES";

/**
 * The longest single executor invocation: Lambda's 15-minute maximum. The work queue's visibility
 * timeout (960 s in the manifest) must stay above it, or a job still running would be delivered a
 * second time. One invocation runs up to 10 jobs, one SDK call each, in order within a message
 * group; the handler gives each call the time that remains minus a 10-second commit margin, so the
 * longest step a deployment supports is just under 15 minutes, and less when earlier jobs of the
 * same batch have used part of the invocation.
 */
export const EXECUTOR_TIMEOUT = Duration.seconds(900);

export interface TidelineStackProps extends StackProps {
  /**
   * sha256 hex of each accepted event key (`cdk deploy -c eventKeyHashes=<hex>,<hex>`). Empty means
   * the cloud-mode event API rejects every event.
   */
  readonly eventKeyHashes?: readonly string[];
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
/**
 * The hashes travel in the event API's environment, which Lambda caps at 4 KB in total; the
 * resource addresses take about 2 KB, each hash 65 bytes. More keys need a different store.
 */
const MAX_EVENT_KEY_HASHES = 20;

export class TidelineStack extends Stack {
  readonly data: DataStores;
  readonly scheduling: Scheduling;
  readonly signingKey: Secret;
  readonly functions: Record<LambdaEntry, TidelineFunction>;
  readonly http: HttpEndpoints;

  constructor(scope: Construct, id: string, props: TidelineStackProps = {}) {
    super(scope, id, props);
    const eventKeyHashes = (props.eventKeyHashes ?? []).map((h) => h.trim().toLowerCase());
    const bad = eventKeyHashes.filter((h) => !SHA256_HEX.test(h));
    if (bad.length > 0) {
      throw new Error(`eventKeyHashes must be sha256 hex digests (64 hex characters); got ${bad.join(", ")}`);
    }
    if (eventKeyHashes.length > MAX_EVENT_KEY_HASHES) {
      throw new Error(`At most ${MAX_EVENT_KEY_HASHES} eventKeyHashes fit in the Lambda environment`);
    }

    const data = new DataStores(this, "Data");
    const scheduling = new Scheduling(this, "Scheduling", { timersQueue: data.queues.timers });
    this.data = data;
    this.scheduling = scheduling;

    // The secret holds only the 64 hex digits; handlers read it and prefix `signkey-prod-`.
    this.signingKey = new Secret(this, "SigningKey", {
      description: "Tideline signing key (hex part of signkey-prod-<hex>)",
      generateSecretString: {
        passwordLength: 64,
        excludePunctuation: true,
        excludeUppercase: true,
        includeSpace: false,
        excludeCharacters: "ghijklmnopqrstuvwxyz",
      },
      // SDK apps are configured with this key; a stack replacement must not rotate it silently.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.signingKey).acknowledge({
      id: "AwsSolutions-SMG4",
      reason:
        "Every SDK app holds this key (INNGEST_SIGNING_KEY). Rotation is a coordinated change: add the new " +
        "key to the apps as INNGEST_SIGNING_KEY_FALLBACK, switch Tideline, then retire the old key. A " +
        "rotation Lambda cannot reach the apps, so rotation is done by hand.",
    });

    const addresses = allAddresses(data, scheduling);
    const make = (entry: LambdaEntry, options: Omit<TidelineFunctionProps, "entry" | "environment">) =>
      new TidelineFunction(this, pascal(entry), { entry, environment: addresses, ...options });

    const eventApi = make("event-api", {
      description: "POST /e/{eventKey}: validate events, put them on Kinesis",
      timeout: Duration.seconds(10),
    });
    const api = make("api", {
      description: "App sync, REST v1, GraphQL and /dev",
      timeout: Duration.seconds(29),
    });
    const runner = make("runner", {
      description: "Kinesis events to runs",
      timeout: Duration.seconds(120),
      memorySize: 1024,
    });
    const executor = make("executor", {
      description: "Work jobs: one SDK call each",
      timeout: EXECUTOR_TIMEOUT,
    });
    const timer = make("timer", { description: "Due timers to work jobs", timeout: Duration.seconds(30) });
    this.functions = { "event-api": eventApi, api, runner, executor, timer };

    const { tables, queues, streams, buckets } = data;

    // event-api: the hot path writes to the stream and touches nothing else.
    bindStream(eventApi, STREAMS.events, streams.events, "putRecords");
    eventApi.addEnvironment(EVENT_KEY_HASHES_ENV, eventKeyHashes.join(","));

    // api: registers apps and functions, reads history, enqueues replays; needs the signing key to
    // check bearer tokens and sign sync requests (lambdas/wiring.ts apiDeps).
    bindTable(api, TABLES.registry, tables.registry, "readWrite");
    bindTable(api, TABLES.events, tables.events, "read");
    bindTable(api, TABLES.runs, tables.runs, "read");
    bindQueue(api, QUEUES.work, queues.work, "send");
    bindSigningKey(api, this.signingKey);

    // runner: stores events, matches triggers, creates runs, resumes waits, dispatches first jobs.
    bindTable(runner, TABLES.events, tables.events, "readWrite");
    bindTable(runner, TABLES.registry, tables.registry, "read");
    for (const t of ["runs", "pauses", "flow"] as const) {
      bindTable(runner, TABLES[t], tables[t], "readWrite");
    }
    bindQueue(runner, QUEUES.work, queues.work, "send");
    bindQueue(runner, QUEUES.timers, queues.timers, "send");
    // Debounce periods and batch timeouts can exceed 15 minutes: dispatchJobs then uses Scheduler.
    bindScheduler(runner, scheduling);
    bindBucket(runner, BUCKETS.payloads, buckets.payloads, "readWrite");

    // executor: one SDK call per job, step results and follow-up jobs.
    for (const t of ["runs", "events", "pauses", "flow"] as const) {
      bindTable(executor, TABLES[t], tables[t], "readWrite");
    }
    bindTable(executor, TABLES.registry, tables.registry, "read");
    bindQueue(executor, QUEUES.work, queues.work, "send");
    bindQueue(executor, QUEUES.timers, queues.timers, "send");
    bindScheduler(executor, scheduling);
    bindBucket(executor, BUCKETS.payloads, buckets.payloads, "readWrite");
    bindSigningKey(executor, this.signingKey);

    // timer: due items become work jobs; early ones are re-delayed or re-scheduled.
    bindQueue(timer, QUEUES.work, queues.work, "send");
    bindQueue(timer, QUEUES.timers, queues.timers, "send");
    bindScheduler(timer, scheduling);
    bindTable(timer, TABLES.runs, tables.runs, "read");
    bindTable(timer, TABLES.flow, tables.flow, "readWrite");

    connectRunner(runner.fn, streams.events, buckets.payloads);
    connectExecutor(executor.fn, queues.work);
    connectTimer(timer.fn, queues.timers);

    this.http = new HttpEndpoints(this, "Http", { eventApi: eventApi.fn, api: api.fn });

    new CfnOutput(this, "ApiUrl", {
      description: "INNGEST_BASE_URL for SDK apps (the event API is POST <url>e/<event key>)",
      value: this.http.url,
    });
    new CfnOutput(this, "SigningKeySecretArn", {
      description: "Secret holding the hex part of the signing key (use signkey-prod-<value>)",
      value: this.signingKey.secretArn,
    });
  }
}

function pascal(entry: string): string {
  return entry.replace(/(^|-)([a-z])/g, (_m, _dash: string, c: string) => c.toUpperCase());
}
