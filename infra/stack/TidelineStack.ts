/**
 * Tideline on AWS, built by walking the resource manifest (shared/resources.ts): its data stores,
 * the Scheduler group, role and recurring schedules, the signing-key secret, one Lambda per
 * `FUNCTIONS` entry with exactly the grants the entry lists, the entry's event-source mapping and
 * the HTTP API's routes, and the dashboard behind CloudFront with the API at the same origin.
 * Env-agnostic (no account or region at synth), so `cdk synth` runs offline.
 */
import { fileURLToPath } from "node:url";
import { CfnOutput, Duration, Stack, type StackProps, Validations } from "aws-cdk-lib";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";
import {
  FUNCTIONS,
  type FunctionName,
  type FunctionSpec,
  HTTP_INTEGRATION_TIMEOUT_SECONDS,
} from "../../shared/resources.js";
import { allAddresses, bindGrants } from "./constructs/bind.js";
import { DashboardHosting } from "./constructs/DashboardHosting.js";
import { DataStores, fromManifest } from "./constructs/DataStores.js";
import { EventKeys } from "./constructs/EventKeys.js";
import { connectSource } from "./constructs/eventSources.js";
import { HttpEndpoints, type HttpRoute } from "./constructs/HttpEndpoints.js";
import { Monitoring } from "./constructs/Monitoring.js";
import { Scheduling } from "./constructs/Scheduling.js";
import { TidelineFunction } from "./constructs/TidelineFunction.js";
import { checkKeyHashes } from "./keyHashes.js";
import {
  type FunctionSettings,
  functionEnvironment,
  payloadExpirationDays,
  removalPolicyOf,
  resolveSettings,
  type Settings,
  type TidelineSettingsProps,
  tagResources,
} from "./settings.js";

/**
 * Environment variable with the accepted event keys' sha256 hashes (read by shared/config.ts): for
 * `tideline dev` and tests; a deployed event API reads them from SSM instead (EventKeys.ts).
 */
export const EVENT_KEY_HASHES_ENV = "TIDELINE_EVENT_KEY_HASHES";
/** Environment variable with the accepted API keys' sha256 hashes (REST and GraphQL bearer tokens). */
export const API_KEY_HASHES_ENV = "TIDELINE_API_KEY_HASHES";

/**
 * The longest single executor invocation, from the manifest (Lambda's 15-minute maximum). The work
 * queue's visibility timeout (`QUEUES.work`, 960 s) must stay above it, or a job still running
 * would be delivered a second time; synthesis fails if it does not (eventSources.ts). The executor
 * takes one job per invocation (batch size 1), one SDK call, and gives that call the time that
 * remains minus a 10-second commit margin, so the longest step a deployment supports is just
 * under 15 minutes.
 */
export const EXECUTOR_TIMEOUT = Duration.seconds(FUNCTIONS.executor.timeoutSeconds);

/** The dashboard build the stack deploys unless told otherwise: `dashboard/dist` of the repository. */
export const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL("../../dashboard/dist", import.meta.url));

/** Stack props: the per-environment settings (settings.ts, also read from context by app.ts) and more. */
export interface TidelineStackProps extends StackProps, TidelineSettingsProps {
  /**
   * sha256 hex of each accepted event key (`cdk deploy -c eventKeyHashes=<hex>,<hex>`). Empty means
   * the cloud-mode event API rejects every event.
   */
  readonly eventKeyHashes?: readonly string[];
  /**
   * sha256 hex of each API key the REST and GraphQL APIs accept as bearer token, beside the signing
   * key (`cdk deploy -c apiKeyHashes=<hex>`): for the dashboard and scripts, so the signing key
   * need not leave the apps.
   */
  readonly apiKeyHashes?: readonly string[];
  /**
   * Email address subscribed to the alarm topic (`cdk deploy -c alertEmail=ops@example.com`); AWS
   * mails it a confirmation link first. Without it, subscribe to the topic in the output by hand.
   */
  readonly alertEmail?: string;
  /**
   * The dashboard build to deploy (default DEFAULT_DASHBOARD_DIR, made by `npm run build:dashboard`);
   * synthesis fails if it holds no index.html.
   */
  readonly dashboardDir?: string;
}

/**
 * API key hashes travel in the API function's environment, which Lambda caps at 4 KB in total; the
 * resource addresses take about 2 KB, each hash 65 bytes. (Event keys live in SSM: EventKeys.ts.)
 */
export const MAX_API_KEY_HASHES = 20;

export class TidelineStack extends Stack {
  readonly data: DataStores;
  readonly scheduling: Scheduling;
  readonly signingKey: Secret;
  /** One function per manifest entry, by `FUNCTIONS` key. */
  readonly functions: Record<FunctionName, TidelineFunction>;
  readonly http: HttpEndpoints;
  /** The per-environment settings, defaults applied. */
  readonly settings: Settings;
  /** Alarms, their SNS topic and the CloudWatch dashboard. */
  readonly monitoring: Monitoring;
  /** The dashboard's bucket and the CloudFront distribution in front of it and of the API. */
  readonly dashboard: DashboardHosting;

  constructor(scope: Construct, id: string, props: TidelineStackProps = {}) {
    super(scope, id, props);
    const apiKeyHashes = checkKeyHashes("apiKeyHashes", props.apiKeyHashes ?? [], {
      max: MAX_API_KEY_HASHES,
      where: "in the Lambda environment",
    });
    const settings = resolveSettings(props);
    this.settings = settings;
    tagResources(this, settings);

    this.data = new DataStores(this, "Data", {
      removalPolicy: settings.removalPolicy,
      kinesis: settings.kinesis,
      payloadExpirationDays: payloadExpirationDays(settings.runRetentionDays, settings.eventRetentionDays),
    });
    this.scheduling = new Scheduling(this, "Scheduling", {
      timersQueue: this.data.queues.timers,
      deadLetterQueue: this.data.queues.timersDlq,
    });
    this.signingKey = signingKeySecret(this, settings);

    const environment = { ...allAddresses(this.data, this.scheduling), ...functionEnvironment(settings) };
    this.functions = fromManifest<FunctionName, FunctionSpec, TidelineFunction>(FUNCTIONS, (spec, name) => {
      const { memoryMb, reservedConcurrency, maxConcurrency } = settings.functions[name];
      const fn = new TidelineFunction(this, spec.id, { spec, environment, memoryMb, reservedConcurrency });
      bindGrants(fn, spec.grants, this);
      connectSource(fn.fn, spec, this.data, { maxConcurrency });
      return fn;
    });
    new EventKeys(this, "EventKeys", { hashes: props.eventKeyHashes ?? [], reader: this.functions.eventApi });
    if (apiKeyHashes.length) this.functions.api.addEnvironment(API_KEY_HASHES_ENV, apiKeyHashes.join(","));

    this.http = new HttpEndpoints(this, "Http", {
      routes: httpRoutes(this.functions, settings.functions),
      customDomain: settings.customDomain,
    });
    this.dashboard = new DashboardHosting(this, "Dashboard", {
      dashboardDir: props.dashboardDir ?? DEFAULT_DASHBOARD_DIR,
      httpApi: this.http.httpApi,
      removalPolicy: settings.removalPolicy,
    });
    this.monitoring = new Monitoring(this, "Monitoring", {
      data: this.data,
      scheduling: this.scheduling,
      functions: this.functions,
      http: this.http,
      alertEmail: props.alertEmail,
    });

    new CfnOutput(this, "ApiUrl", {
      description: "INNGEST_BASE_URL for SDK apps (the event API is POST <url>e/<event key>)",
      value: this.http.url,
    });
    if (this.http.custom) {
      new CfnOutput(this, "CustomDomainUrl", {
        description: "INNGEST_BASE_URL at the custom domain",
        value: this.http.custom.url,
      });
      new CfnOutput(this, "CustomDomainTarget", {
        description: "Point the custom domain's DNS (CNAME or alias) at this API Gateway domain",
        value: this.http.custom.domain.regionalDomainName,
      });
    }
    new CfnOutput(this, "SigningKeySecretArn", {
      description: "Secret holding the hex part of the signing key (use signkey-prod-<value>)",
      value: this.signingKey.secretArn,
    });
    new CfnOutput(this, "AlarmTopicArn", {
      description: "SNS topic every alarm notifies (ALARM and OK); subscribe pagers or chat here",
      value: this.monitoring.topic.topicArn,
    });
  }
}

/** The secret holds only the 64 hex digits; handlers read it and prefix `signkey-prod-`. */
function signingKeySecret(scope: Construct, settings: Settings): Secret {
  const secret = new Secret(scope, "SigningKey", {
    description: "Tideline signing key (hex part of signkey-prod-<hex>)",
    generateSecretString: {
      passwordLength: 64,
      excludePunctuation: true,
      excludeUppercase: true,
      includeSpace: false,
      excludeCharacters: "ghijklmnopqrstuvwxyz",
    },
    // SDK apps are configured with this key; a stack replacement must not rotate it silently
    // (a throwaway stage's apps go with it).
    removalPolicy: removalPolicyOf(settings.removalPolicy),
  });
  Validations.of(secret).acknowledge({
    id: "AwsSolutions-SMG4",
    reason:
      "Every SDK app holds this key (INNGEST_SIGNING_KEY). Rotation is a coordinated change: add the new " +
      "key to the apps as INNGEST_SIGNING_KEY_FALLBACK, switch Tideline, then retire the old key. A " +
      "rotation Lambda cannot reach the apps, so rotation is done by hand.",
  });
  return secret;
}

/**
 * The routes of every function with an http source, with the function's throttle. API Gateway
 * gives up on an integration after HTTP_INTEGRATION_TIMEOUT_SECONDS, so a function behind it must
 * time out first.
 */
function httpRoutes(
  functions: Record<FunctionName, TidelineFunction>,
  settings: Readonly<Record<FunctionName, FunctionSettings>>,
): HttpRoute[] {
  return (Object.keys(functions) as FunctionName[]).flatMap((name) => {
    const { spec, fn } = functions[name];
    const { throttle } = settings[name];
    if (spec.source.kind !== "http") return [];
    if (spec.timeoutSeconds >= HTTP_INTEGRATION_TIMEOUT_SECONDS) {
      throw new Error(
        `Function ${spec.id}: timeout ${spec.timeoutSeconds} s must be below the HTTP API's ` +
          `${HTTP_INTEGRATION_TIMEOUT_SECONDS} s integration timeout (shared/resources.ts)`,
      );
    }
    return spec.source.routes.map((routeKey) => ({ routeKey, integrationId: spec.id, fn, throttle }));
  });
}
