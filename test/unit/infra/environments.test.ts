/**
 * Per-environment settings (infra/stack/settings.ts): each prop and context key changes the
 * template as documented, bad values fail naming the key and the value, and two stages live side
 * by side in one app. Synthesis skips esbuild (stack.test.ts bundles); one app with a default
 * (`dev`) and a fully customised (`prod`) stack, and one stack built from context, each made once.
 */
import { App } from "aws-cdk-lib";
import type { IConstruct } from "constructs";
import { beforeAll, describe, expect, it } from "vitest";
import { EXPIRING_PAYLOAD_PREFIXES } from "../../../infra/stack/constructs/DataStores.js";
import {
  DEFAULTS,
  payloadExpirationDays,
  settingsFromContext,
  stackNameFor,
  type TidelineSettingsProps,
} from "../../../infra/stack/settings.js";
import { TidelineStack, type TidelineStackProps } from "../../../infra/stack/TidelineStack.js";
import { loadConfig } from "../../../shared/config.js";
import { FUNCTIONS, type FunctionName } from "../../../shared/resources.js";
import {
  acknowledgements,
  type CfnResource,
  environmentOf,
  FUNCTION_NAMES,
  itHasNoNagFindings,
  logicalIdOf,
  newApp,
  resourceOf,
  resourcesOfType,
  type Synthesized,
  synthesized,
  TABLE_NAMES,
  unexplained,
} from "./fixture.js";

const CERTIFICATE_ARN = "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";

/** Every setting away from its default. */
const CUSTOM: TidelineSettingsProps = {
  stage: "prod",
  runRetentionDays: 90,
  eventRetentionDays: 60,
  memoryMb: { executor: 1024 },
  logLevel: "INFO",
  removalPolicy: "destroy",
  domainName: "tideline.example.com",
  certificateArn: CERTIFICATE_ARN,
  kinesisMode: "provisioned",
  kinesisShards: 2,
  resourceTags: { team: "payments", "cost-center": "42" },
};

/** An app without bundling (the template is the same but for asset hashes) and cdk.json's flags. */
function unbundledApp(context: Record<string, unknown> = {}): App {
  return newApp({ bundle: false, context });
}

function addStack(app: App, props: TidelineStackProps): TidelineStack {
  return new TidelineStack(app, stackNameFor(props.stage ?? DEFAULTS.stage), props);
}

function propsOf<T>(s: Synthesized, construct: IConstruct): T {
  return resourceOf(s, construct).Properties as T;
}

/** The function's environment as shared/config.ts sees it (tokens rendered as text). */
function configOf(s: Synthesized, name: FunctionName) {
  const env = Object.fromEntries(
    Object.entries(environmentOf(s, name)).map(([k, v]) => [
      k,
      typeof v === "string" ? v : JSON.stringify(v),
    ]),
  );
  return loadConfig(env);
}

function outputsOf(s: Synthesized): Record<string, { Value: unknown; Export?: { Name: unknown } }> {
  return (
    (s.template.toJSON() as { Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }> })
      .Outputs ?? {}
  );
}

function tagsOf(resource: CfnResource): Record<string, unknown> {
  const tags = resource.Properties.Tags;
  if (Array.isArray(tags)) {
    return Object.fromEntries((tags as { Key: string; Value: unknown }[]).map((t) => [t.Key, t.Value]));
  }
  return (tags ?? {}) as Record<string, unknown>;
}

/**
 * Names AWS keeps unique per account and region, by resource type: two stacks that set the same
 * one collide at deploy time. (Names scoped to a parent, such as an inline policy's or a stage's,
 * are not listed.)
 */
const PHYSICAL_NAMES: Record<string, string> = {
  "AWS::ApiGatewayV2::Api": "Name",
  "AWS::ApiGatewayV2::DomainName": "DomainName",
  "AWS::CloudWatch::Alarm": "AlarmName",
  "AWS::CloudWatch::CompositeAlarm": "AlarmName",
  "AWS::CloudWatch::Dashboard": "DashboardName",
  "AWS::DynamoDB::Table": "TableName",
  "AWS::Events::Rule": "Name",
  "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
  "AWS::IAM::Role": "RoleName",
  "AWS::Kinesis::Stream": "Name",
  "AWS::KMS::Alias": "AliasName",
  "AWS::Lambda::Function": "FunctionName",
  "AWS::Logs::LogGroup": "LogGroupName",
  "AWS::S3::Bucket": "BucketName",
  "AWS::Scheduler::Schedule": "Name",
  "AWS::Scheduler::ScheduleGroup": "Name",
  "AWS::SecretsManager::Secret": "Name",
  "AWS::SNS::Topic": "TopicName",
  "AWS::SQS::Queue": "QueueName",
  "AWS::SSM::Parameter": "Name",
};

/** Every explicit physical name and output export name of a stack, rendered as JSON. */
function explicitNames(s: Synthesized): string[] {
  const names = Object.values(s.resources).flatMap((r) => {
    const key = PHYSICAL_NAMES[r.Type];
    const value = key === undefined ? undefined : r.Properties[key];
    return value === undefined ? [] : [`${r.Type} ${JSON.stringify(value)}`];
  });
  const exports = Object.values(outputsOf(s)).flatMap((o) =>
    o.Export ? [`Export ${JSON.stringify(o.Export.Name)}`] : [],
  );
  return [...names, ...exports];
}

let dev: Synthesized;
let prod: Synthesized;
let fromContext: Synthesized;

beforeAll(() => {
  const app = unbundledApp();
  const devStack = addStack(app, {});
  const prodStack = addStack(app, CUSTOM);
  dev = synthesized(devStack);
  prod = synthesized(prodStack);

  const contextApp = unbundledApp({
    stage: "qa",
    runRetentionDays: "45",
    eventRetentionDays: "400",
    memoryMb: "runner=2048,timer=256",
    logLevel: "debug",
    removalPolicy: "destroy",
    kinesisMode: "provisioned",
    resourceTags: "team=ops",
  });
  const settings = settingsFromContext(contextApp.node);
  fromContext = synthesized(
    new TidelineStack(contextApp, stackNameFor(settings.stage ?? DEFAULTS.stage), settings),
  );
}, 60_000);

describe("TidelineStack defaults (stage dev)", () => {
  it.each(TABLE_NAMES)("retains the %s table and protects it from deletion", (name) => {
    const table = resourceOf(dev, dev.stack.data.tables[name]);

    expect(table.DeletionPolicy).toBe("Retain");
    expect(table.Properties.DeletionProtectionEnabled).toBe(true);
  });

  it("retains the payload bucket, the events stream and the signing-key secret, and empties nothing", () => {
    for (const construct of [
      dev.stack.data.buckets.payloads,
      dev.stack.data.streams.events,
      dev.stack.signingKey,
    ]) {
      expect(resourceOf(dev, construct).DeletionPolicy).toBe("Retain");
    }
    expect(resourcesOfType(dev, "Custom::S3AutoDeleteObjects")).toEqual([]);
  });

  it.each(FUNCTION_NAMES)("gives %s the default retention, log level and the manifest's memory", (name) => {
    const env = environmentOf(dev, name);

    expect(configOf(dev, name)).toMatchObject({ runRetentionDays: 30, eventRetentionDays: 30 });
    expect(env).toMatchObject({ TIDELINE_LOG_LEVEL: "WARN", POWERTOOLS_LOG_LEVEL: "WARN" });
    expect(propsOf<{ MemorySize: number }>(dev, dev.stack.functions[name].fn).MemorySize).toBe(
      FUNCTIONS[name].memoryMb,
    );
  });

  it("runs the events stream on demand", () => {
    const stream = propsOf<Record<string, unknown>>(dev, dev.stack.data.streams.events);

    expect(stream.StreamModeDetails).toEqual({ StreamMode: "ON_DEMAND" });
    expect(stream.ShardCount).toBeUndefined();
  });

  it("expires payloads, run state included, and failure records the state horizon (367 days) past the retention", () => {
    const rules = propsOf<{ LifecycleConfiguration: { Rules: Record<string, unknown>[] } }>(
      dev,
      dev.stack.data.buckets.payloads,
    ).LifecycleConfiguration.Rules;
    const expiring = rules.filter((r) => r.ExpirationInDays !== undefined);

    expect(expiring.map((r) => r.Prefix)).toEqual([...EXPIRING_PAYLOAD_PREFIXES]);
    // What the adapters write: runs (DynamoRunStore), events (DynamoEventStore), waits (pauseItems),
    // buffers (DynamoBufferStore), poison messages (core/poison.ts) and Lambda's failure records.
    expect(expiring.map((r) => r.Prefix)).toEqual([
      "runs/",
      "events/",
      "pauses/",
      "buffers/",
      "poison/",
      "aws/lambda/",
    ]);
    expect(expiring.every((r) => r.ExpirationInDays === 30 + 367)).toBe(true);
    expect(rules).toContainEqual(
      expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
    );
  });

  it("tags every taggable resource with its stage and stack", () => {
    const tagged = Object.values(dev.resources).filter((r) => r.Properties.Tags !== undefined);
    const missing = tagged.filter((r) => {
      const tags = tagsOf(r);
      return tags["tideline:stage"] !== "dev" || tags["tideline:stack"] !== "Tideline-dev";
    });

    for (const type of [
      "AWS::DynamoDB::Table",
      "AWS::Lambda::Function",
      "AWS::S3::Bucket",
      "AWS::ApiGatewayV2::Api",
    ]) {
      expect(tagged.some((r) => r.Type === type)).toBe(true);
    }
    expect(missing.map((r) => r.Type)).toEqual([]);
  });

  it("outputs no custom domain", () => {
    expect(Object.keys(outputsOf(dev))).not.toContain("CustomDomainUrl");
    expect(resourcesOfType(dev, "AWS::ApiGatewayV2::DomainName")).toEqual([]);
  });
});

describe("TidelineStack with every setting given as a prop (stage prod)", () => {
  it.each(FUNCTION_NAMES)("gives %s the stage's retention and log level", (name) => {
    expect(configOf(prod, name)).toMatchObject({ runRetentionDays: 90, eventRetentionDays: 60 });
    expect(environmentOf(prod, name)).toMatchObject({
      TIDELINE_LOG_LEVEL: "INFO",
      POWERTOOLS_LOG_LEVEL: "INFO",
    });
  });

  it("overrides the memory of the named function only", () => {
    const memory = Object.fromEntries(
      FUNCTION_NAMES.map((n) => [
        n,
        propsOf<{ MemorySize: number }>(prod, prod.stack.functions[n].fn).MemorySize,
      ]),
    );

    expect(memory).toEqual({
      ...Object.fromEntries(FUNCTION_NAMES.map((n) => [n, FUNCTIONS[n].memoryMb])),
      executor: 1024,
    });
  });

  it.each(TABLE_NAMES)("lets a destroy stage delete the %s table (no deletion protection)", (name) => {
    const table = resourceOf(prod, prod.stack.data.tables[name]);

    expect(table.DeletionPolicy).toBe("Delete");
    expect(table.Properties.DeletionProtectionEnabled).toBe(false);
  });

  it("deletes the buckets (emptied first), the stream and the secret with a destroy stage", () => {
    const buckets = [prod.stack.data.buckets.payloads, prod.stack.dashboard.bucket];
    for (const construct of [...buckets, prod.stack.data.streams.events, prod.stack.signingKey]) {
      expect(resourceOf(prod, construct).DeletionPolicy).toBe("Delete");
    }
    // One auto-delete resource per bucket: the payload bucket and the dashboard's.
    const emptied = resourcesOfType(prod, "Custom::S3AutoDeleteObjects").map(
      ([, r]) => r.Properties.BucketName,
    );
    expect(emptied).toHaveLength(2);
    expect(emptied).toEqual(expect.arrayContaining(buckets.map((b) => ({ Ref: logicalIdOf(prod, b) }))));
  });

  it("expires payloads a year and a day past the longer of the two retentions", () => {
    const rules = propsOf<{ LifecycleConfiguration: { Rules: Record<string, unknown>[] } }>(
      prod,
      prod.stack.data.buckets.payloads,
    ).LifecycleConfiguration.Rules;

    expect(rules.filter((r) => r.ExpirationInDays !== undefined).map((r) => r.ExpirationInDays)).toEqual(
      EXPIRING_PAYLOAD_PREFIXES.map(() => 90 + 367),
    );
  });

  it("provisions the events stream with the given shards", () => {
    expect(propsOf(prod, prod.stack.data.streams.events)).toMatchObject({
      StreamModeDetails: { StreamMode: "PROVISIONED" },
      ShardCount: 2,
    });
  });

  it("serves the API at the custom domain with its certificate and outputs the URL and DNS target", () => {
    const [domainId, domain] = resourcesOfType(prod, "AWS::ApiGatewayV2::DomainName")[0] ?? [];
    const mappings = resourcesOfType(prod, "AWS::ApiGatewayV2::ApiMapping");

    expect(domain?.Properties).toMatchObject({
      DomainName: "tideline.example.com",
      DomainNameConfigurations: [
        { CertificateArn: CERTIFICATE_ARN, EndpointType: "REGIONAL", SecurityPolicy: "TLS_1_2" },
      ],
    });
    expect(mappings).toHaveLength(1);
    expect(mappings[0]?.[1].Properties).toMatchObject({
      DomainName: { Ref: domainId },
      ApiId: { Ref: prod.stack.resolve(prod.stack.http.httpApi.apiId).Ref },
    });
    expect(outputsOf(prod).CustomDomainUrl?.Value).toBe("https://tideline.example.com/");
    expect(outputsOf(prod).CustomDomainTarget?.Value).toEqual({
      "Fn::GetAtt": [domainId, "RegionalDomainName"],
    });
  });

  it("adds the given tags beside the stage and stack tags", () => {
    const tags = tagsOf(resourceOf(prod, prod.stack.data.tables.runs));

    expect(tags).toMatchObject({
      "tideline:stage": "prod",
      "tideline:stack": "Tideline-prod",
      team: "payments",
      "cost-center": "42",
    });
  });

  itHasNoNagFindings(() => prod.stack);

  it("records a reason with every acknowledgement", () => {
    expect(unexplained(acknowledgements(prod.stack))).toEqual([]);
  });
});

describe("Two stages in one app", () => {
  it("share no physical name or export name", () => {
    const devNames = explicitNames(dev);
    const prodNames = new Set(explicitNames(prod));

    expect(devNames.length).toBeGreaterThan(0);
    expect(devNames.filter((n) => prodNames.has(n))).toEqual([]);
  });

  it("are named after their stage", () => {
    expect([dev.stack.stackName, prod.stack.stackName]).toEqual(["Tideline-dev", "Tideline-prod"]);
  });
});

describe("TidelineStack settings from context", () => {
  it("reads every key from its command-line string form", () => {
    const app = new App({
      context: {
        stage: "qa",
        runRetentionDays: "45",
        eventRetentionDays: " 400 ",
        memoryMb: "runner=2048, timer=256",
        logLevel: "debug",
        removalPolicy: "destroy",
        domainName: "api.example.com",
        certificateArn: CERTIFICATE_ARN,
        kinesisMode: "provisioned",
        kinesisShards: "3",
        resourceTags: "team=ops,owner=platform",
        executorMaxConcurrency: "50",
        timerMaxConcurrency: "5",
        eventApiReservedConcurrency: "20",
        eventApiRateLimit: "1500.5",
        eventApiBurstLimit: "700",
        apiRateLimit: "300",
        apiBurstLimit: "150",
      },
    });

    expect(settingsFromContext(app.node)).toEqual({
      stage: "qa",
      runRetentionDays: 45,
      eventRetentionDays: 400,
      memoryMb: { runner: 2048, timer: 256 },
      logLevel: "DEBUG",
      removalPolicy: "destroy",
      domainName: "api.example.com",
      certificateArn: CERTIFICATE_ARN,
      kinesisMode: "provisioned",
      kinesisShards: 3,
      resourceTags: { team: "ops", owner: "platform" },
      executorMaxConcurrency: 50,
      timerMaxConcurrency: 5,
      eventApiReservedConcurrency: 20,
      eventApiRateLimit: 1500.5,
      eventApiBurstLimit: 700,
      apiRateLimit: 300,
      apiBurstLimit: 150,
    });
  });

  it("takes maps as JSON objects too (cdk.json)", () => {
    const app = new App({ context: { memoryMb: { executor: 2048 }, resourceTags: { team: "ops" } } });

    expect(settingsFromContext(app.node)).toEqual({
      memoryMb: { executor: 2048 },
      resourceTags: { team: "ops" },
    });
  });

  it("changes the template like the props do", () => {
    const stream = propsOf(fromContext, fromContext.stack.data.streams.events);

    expect(fromContext.stack.stackName).toBe("Tideline-qa");
    expect(configOf(fromContext, "executor")).toMatchObject({
      runRetentionDays: 45,
      eventRetentionDays: 400,
    });
    expect(environmentOf(fromContext, "executor")).toMatchObject({
      TIDELINE_LOG_LEVEL: "DEBUG",
      POWERTOOLS_LOG_LEVEL: "DEBUG",
    });
    expect(
      propsOf<{ MemorySize: number }>(fromContext, fromContext.stack.functions.runner.fn).MemorySize,
    ).toBe(2048);
    expect(
      propsOf<{ MemorySize: number }>(fromContext, fromContext.stack.functions.timer.fn).MemorySize,
    ).toBe(256);
    expect(resourceOf(fromContext, fromContext.stack.data.tables.runs).DeletionPolicy).toBe("Delete");
    // Provisioned without a shard count: one shard.
    expect(stream).toMatchObject({ StreamModeDetails: { StreamMode: "PROVISIONED" }, ShardCount: 1 });
    expect(tagsOf(resourceOf(fromContext, fromContext.stack.data.tables.runs))).toMatchObject({
      "tideline:stage": "qa",
      team: "ops",
    });
    const rules = propsOf<{ LifecycleConfiguration: { Rules: Record<string, unknown>[] } }>(
      fromContext,
      fromContext.stack.data.buckets.payloads,
    ).LifecycleConfiguration.Rules;
    expect(rules.find((r) => r.ExpirationInDays !== undefined)?.ExpirationInDays).toBe(400 + 367);
  });

  it.each([
    [{ runRetentionDays: "abc" }, /runRetentionDays must be an integer from 1 to 3650 \(got "abc"\)/],
    [{ eventRetentionDays: "3651" }, /eventRetentionDays must be an integer from 1 to 3650 \(got 3651\)/],
    [{ stage: "Prod" }, /stage must be .* \(got "Prod"\)/],
    [{ memoryMb: "executor" }, /memoryMb must be function=megabytes pairs .* \(got "executor"\)/],
    [{ memoryMb: "exekutor=1024" }, /memoryMb takes only the keys eventApi, api, runner, executor, timer/],
    [{ memoryMb: "executor=64" }, /memoryMb\.executor must be an integer from 128 to 10240 \(got 64\)/],
    [{ logLevel: "verbose" }, /logLevel must be one of DEBUG, INFO, WARN, ERROR, SILENT \(got "VERBOSE"\)/],
    [{ removalPolicy: "delete" }, /removalPolicy must be one of retain, destroy \(got "delete"\)/],
    [{ domainName: "api.example.com" }, /domainName needs certificateArn too/],
    [
      { domainName: "x.example.com", certificateArn: "arn:nope" },
      /certificateArn must be an ACM certificate ARN \(got "arn:nope"\)/,
    ],
    [{ kinesisMode: "fast" }, /kinesisMode must be one of onDemand, provisioned \(got "fast"\)/],
    [{ kinesisShards: "4" }, /kinesisShards applies only with kinesisMode=provisioned .*\(got 4\)/],
    [{ resourceTags: "aws:owner=me" }, /resourceTags\.aws:owner tag keys .* may not start with aws:/],
    [{ resourceTags: "tideline:stage=x" }, /resourceTags\.tideline:stage the stack sets tideline:stage/],
  ])("rejects %j naming the key and the value", (context, message) => {
    const app = new App({ context });

    expect(() => settingsFromContext(app.node)).toThrow(message);
  });
});

describe("TidelineStack settings as props", () => {
  it.each([
    [
      { runRetentionDays: 0 },
      /Invalid Tideline settings in props: runRetentionDays must be an integer from 1 to 3650 \(got 0\)/,
    ],
    [{ memoryMb: { api: 20_000 } }, /memoryMb\.api must be an integer from 128 to 10240 \(got 20000\)/],
    [{ certificateArn: CERTIFICATE_ARN }, /certificateArn needs domainName too/],
  ] as [TidelineSettingsProps, RegExp][])("rejects %j before building anything", (props, message) => {
    expect(() => new TidelineStack(unbundledApp(), "Bad", props)).toThrow(message);
  });
});

describe("payloadExpirationDays", () => {
  it("is the longer retention plus the state horizon: the longest sleep (366 days) and a day", () => {
    expect(payloadExpirationDays(30, 30)).toBe(397);
    expect(payloadExpirationDays(90, 7)).toBe(457);
    expect(payloadExpirationDays(7, 3650)).toBe(4017);
  });
});
