import type { IConstruct } from "constructs";
import { beforeAll, describe, expect, it } from "vitest";
import { ratePeriodSeconds, type ScheduleName } from "../../../infra/stack/constructs/Scheduling.js";
import { describePermission, grantedPermissions } from "../../../infra/stack/iamActions.js";
import {
  API_KEY_HASHES_ENV,
  EVENT_KEY_HASHES_ENV,
  MAX_API_KEY_HASHES,
  TidelineStack,
} from "../../../infra/stack/TidelineStack.js";
import { loadConfig } from "../../../shared/config.js";
import {
  FUNCTIONS,
  type FunctionName,
  QUEUES,
  type QueueName,
  SCHEDULER,
  SCHEDULES,
  TABLES,
  type TableName,
} from "../../../shared/resources.js";
import {
  acknowledgements,
  type CfnResource,
  environmentOf,
  FUNCTION_NAMES,
  grantsOf,
  itHasNoNagFindings,
  logicalIdOf,
  newApp,
  PRIVATE_BUCKET,
  policyStatementsOf,
  resourceOf as resourceIn,
  type Statement,
  type Synthesized,
  synthesize,
  unexplained,
} from "./fixture.js";

const EVENT_KEY_HASH = "a".repeat(64);

// Synthesizing bundles five Lambdas with esbuild (a few seconds), so it happens once per file;
// the fixture is written once here and only read by the tests.
let fixture: Synthesized;

beforeAll(() => {
  fixture = synthesize({ eventKeyHashes: [EVENT_KEY_HASH] });
}, 60_000);

function logicalId(construct: IConstruct): string {
  return logicalIdOf(fixture, construct);
}

function resourceOf(construct: IConstruct): CfnResource {
  return resourceIn(fixture, construct);
}

function props<T>(construct: IConstruct): T {
  return resourceOf(construct).Properties as T;
}

function asArray(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

function statementsOf(entry: FunctionName): Statement[] {
  return policyStatementsOf(fixture, entry);
}

function envOf(entry: FunctionName): Record<string, unknown> {
  return environmentOf(fixture, entry);
}

function actionsOf(entry: FunctionName): string[] {
  return statementsOf(entry).flatMap((s) => asArray(s.Action));
}

describe("TidelineStack data stores", () => {
  it.each(Object.keys(TABLES) as TableName[])(
    "builds the %s table on demand with pk/sk keys, PITR and retain",
    (name) => {
      const spec = TABLES[name];
      const table = resourceOf(fixture.stack.data.tables[name]);

      expect(table.DeletionPolicy).toBe("Retain");
      expect(table.Properties).toMatchObject({
        BillingMode: "PAY_PER_REQUEST",
        KeySchema: [
          { AttributeName: spec.partitionKey, KeyType: "HASH" },
          { AttributeName: spec.sortKey, KeyType: "RANGE" },
        ],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
      const ttl = "ttlAttribute" in spec ? { AttributeName: spec.ttlAttribute, Enabled: true } : undefined;
      expect(table.Properties.TimeToLiveSpecification).toEqual(ttl);
    },
  );

  it("builds exactly one table per manifest entry", () => {
    fixture.template.resourceCountIs("AWS::DynamoDB::Table", Object.keys(TABLES).length);
  });

  it.each(Object.keys(QUEUES) as QueueName[])(
    "builds the %s queue with the manifest's timings, SSE and TLS only",
    (name) => {
      const spec = QUEUES[name];
      const queue = props<Record<string, unknown>>(fixture.stack.data.queues[name]);

      expect(queue).toMatchObject({
        VisibilityTimeout: spec.visibilityTimeoutSeconds,
        MessageRetentionPeriod: spec.retentionSeconds,
        SqsManagedSseEnabled: true,
      });
      const policy = Object.values(fixture.resources).find(
        (r) =>
          r.Type === "AWS::SQS::QueuePolicy" &&
          JSON.stringify(r.Properties.Queues) ===
            JSON.stringify([{ Ref: logicalId(fixture.stack.data.queues[name]) }]),
      );
      expect(JSON.stringify(policy?.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    },
  );

  it("makes the work queue a high-throughput FIFO queue with explicit dedup ids and a DLQ", () => {
    const work = props<Record<string, unknown>>(fixture.stack.data.queues.work);

    expect(work).toMatchObject({
      FifoQueue: true,
      FifoThroughputLimit: "perMessageGroupId",
      DeduplicationScope: "messageGroup",
      ContentBasedDeduplication: false,
      RedrivePolicy: {
        deadLetterTargetArn: { "Fn::GetAtt": [logicalId(fixture.stack.data.queues.workDlq), "Arn"] },
        maxReceiveCount: QUEUES.work.deadLetter.maxReceiveCount,
      },
    });
  });

  it("makes the timers queue a standard queue with its own DLQ", () => {
    const timers = props<Record<string, unknown>>(fixture.stack.data.queues.timers);

    expect(timers.FifoQueue).toBeUndefined();
    expect(timers.RedrivePolicy).toEqual({
      deadLetterTargetArn: { "Fn::GetAtt": [logicalId(fixture.stack.data.queues.timersDlq), "Arn"] },
      maxReceiveCount: QUEUES.timers.deadLetter.maxReceiveCount,
    });
  });

  it("creates the events stream in on-demand mode with server-side encryption", () => {
    expect(props(fixture.stack.data.streams.events)).toMatchObject({
      StreamModeDetails: { StreamMode: "ON_DEMAND" },
      StreamEncryption: { EncryptionType: "KMS", KeyId: "alias/aws/kinesis" },
    });
  });

  it("keeps the payload bucket private, S3-encrypted and TLS-only", () => {
    const bucket = fixture.stack.data.buckets.payloads;

    expect(props(bucket)).toMatchObject(PRIVATE_BUCKET);
    // The payload bucket's own policy (the dashboard's bucket has one too: dashboardHosting.test.ts).
    const policy = Object.values(fixture.resources).find(
      (r) =>
        r.Type === "AWS::S3::BucketPolicy" &&
        JSON.stringify(r.Properties.Bucket) === JSON.stringify({ Ref: logicalId(bucket) }),
    );
    expect(JSON.stringify(policy?.Properties)).toContain('"aws:SecureTransport":"false"');
  });
});

describe("TidelineStack functions", () => {
  it.each(FUNCTION_NAMES)("runs %s on nodejs22.x arm64 in cloud mode", (entry) => {
    const fn = props<Record<string, unknown>>(fixture.stack.functions[entry].fn);

    expect(fn).toMatchObject({
      Runtime: "nodejs22.x",
      Architectures: ["arm64"],
      Handler: "index.handler",
      TracingConfig: { Mode: "Active" },
      Environment: { Variables: { TIDELINE_MODE: "cloud" } },
    });
  });

  it.each(FUNCTION_NAMES)("gives %s every address shared/config.ts parses at cold start", (entry) => {
    const env = Object.fromEntries(
      Object.entries(envOf(entry)).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    );

    expect(() => loadConfig(env)).not.toThrow();
  });

  it("keeps the event key hashes out of every function's environment (they live in SSM)", () => {
    const hashesOf = (entry: FunctionName) => envOf(entry)[EVENT_KEY_HASHES_ENV];

    expect(FUNCTION_NAMES.filter((e) => hashesOf(e) !== undefined)).toEqual([]);
  });

  it("passes API key hashes to the API function only, and none when none are given", () => {
    const hash = "b".repeat(64);
    const withKeys = synthesize({ apiKeyHashes: [hash.toUpperCase()] }, { bundle: false });
    const apiEnvOf = (s: Synthesized, entry: FunctionName) => environmentOf(s, entry)[API_KEY_HASHES_ENV];
    expect(apiEnvOf(withKeys, "api")).toBe(hash);
    expect(FUNCTION_NAMES.filter((e) => e !== "api" && apiEnvOf(withKeys, e) !== undefined)).toEqual([]);
    expect(envOf("api")[API_KEY_HASHES_ENV]).toBeUndefined();
    expect(() => new TidelineStack(newApp({ bundle: false }), "BadApi", { apiKeyHashes: ["nope"] })).toThrow(
      /apiKeyHashes must be sha256/,
    );
  });

  it("takes up to 20 API key hashes (what fits beside the addresses in Lambda's 4 KB) and refuses a 21st", () => {
    const hashes = Array.from({ length: 21 }, (_, i) => i.toString(16).padStart(64, "0"));
    const twenty = synthesize({ apiKeyHashes: hashes.slice(0, 20) }, { bundle: false });

    expect(String(environmentOf(twenty, "api")[API_KEY_HASHES_ENV]).split(",")).toHaveLength(20);
    expect(MAX_API_KEY_HASHES).toBe(20);
    expect(() => new TidelineStack(newApp({ bundle: false }), "TooMany", { apiKeyHashes: hashes })).toThrow(
      "At most 20 apiKeyHashes fit in the Lambda environment",
    );
  });

  it("rejects event key hashes that are not sha256 hex", () => {
    const app = newApp({ bundle: false });

    expect(() => new TidelineStack(app, "Bad", { eventKeyHashes: ["not-a-hash"] })).toThrow(/sha256/);
  });

  it("keeps the work queue's visibility timeout at or above the executor's timeout", () => {
    const executorTimeout = props<{ Timeout: number }>(fixture.stack.functions.executor.fn).Timeout;
    const visibility = props<{ VisibilityTimeout: number }>(fixture.stack.data.queues.work).VisibilityTimeout;

    expect(executorTimeout).toBeLessThanOrEqual(900);
    expect(visibility).toBeGreaterThanOrEqual(executorTimeout);
  });

  it("keeps the timers queue's visibility timeout at six times the timer's timeout", () => {
    const timerTimeout = props<{ Timeout: number }>(fixture.stack.functions.timer.fn).Timeout;
    const visibility = props<{ VisibilityTimeout: number }>(
      fixture.stack.data.queues.timers,
    ).VisibilityTimeout;

    expect(visibility).toBeGreaterThanOrEqual(6 * timerTimeout);
  });
});

describe("TidelineStack event-source mappings", () => {
  function mappingFor(entry: FunctionName): Record<string, unknown> {
    const fnId = logicalId(fixture.stack.functions[entry].fn);
    const mappings = Object.values(fixture.resources).filter(
      (r) =>
        r.Type === "AWS::Lambda::EventSourceMapping" &&
        JSON.stringify(r.Properties.FunctionName) === JSON.stringify({ Ref: fnId }),
    );
    expect(mappings).toHaveLength(1);
    return (mappings[0] as CfnResource).Properties;
  }

  it("feeds the events stream to the runner with partial failures, bisection and an S3 failure destination", () => {
    expect(mappingFor("runner")).toMatchObject({
      EventSourceArn: { "Fn::GetAtt": [logicalId(fixture.stack.data.streams.events), "Arn"] },
      StartingPosition: "TRIM_HORIZON",
      BatchSize: 100,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: expect.any(Number),
      MaximumRecordAgeInSeconds: expect.any(Number),
      ParallelizationFactor: expect.any(Number),
      DestinationConfig: {
        OnFailure: { Destination: { "Fn::GetAtt": [logicalId(fixture.stack.data.buckets.payloads), "Arn"] } },
      },
    });
  });

  it("feeds the work queue to the executor one job at a time with partial failures", () => {
    const mapping = mappingFor("executor");

    expect(mapping).toMatchObject({
      EventSourceArn: { "Fn::GetAtt": [logicalId(fixture.stack.data.queues.work), "Arn"] },
      BatchSize: 1,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
    expect(mapping.MaximumBatchingWindowInSeconds).toBeUndefined();
  });

  it("feeds the timers queue to the timer with a short batching window and partial failures", () => {
    const mapping = mappingFor("timer");

    expect(mapping).toMatchObject({
      EventSourceArn: { "Fn::GetAtt": [logicalId(fixture.stack.data.queues.timers), "Arn"] },
      BatchSize: 10,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
    expect(mapping.MaximumBatchingWindowInSeconds).toBeLessThanOrEqual(2);
  });
});

describe("TidelineStack HTTP API", () => {
  function integrationTarget(entry: "eventApi" | "api"): unknown {
    const fnId = logicalId(fixture.stack.functions[entry].fn);
    const integration = Object.entries(fixture.resources).find(
      ([, r]) =>
        r.Type === "AWS::ApiGatewayV2::Integration" &&
        JSON.stringify(r.Properties.IntegrationUri) === JSON.stringify({ "Fn::GetAtt": [fnId, "Arn"] }),
    );
    return { "Fn::Join": ["", ["integrations/", { Ref: integration?.[0] }]] };
  }

  it("routes POST /e/{eventKey} to the event API", () => {
    fixture.template.hasResourceProperties("AWS::ApiGatewayV2::Route", {
      RouteKey: "POST /e/{eventKey}",
      Target: integrationTarget("eventApi"),
    });
  });

  it("routes everything else ($default) to the API Lambda", () => {
    fixture.template.hasResourceProperties("AWS::ApiGatewayV2::Route", {
      RouteKey: "$default",
      Target: integrationTarget("api"),
    });
    fixture.template.resourceCountIs("AWS::ApiGatewayV2::Route", 2);
  });

  it("serves at the origin root from an auto-deployed $default stage and outputs its URL", () => {
    expect(props(fixture.stack.http.stage)).toMatchObject({ StageName: "$default", AutoDeploy: true });
    fixture.template.hasOutput("ApiUrl", {});
  });
});

describe("TidelineStack scheduling", () => {
  it("creates a schedule group and names it in every scheduling Lambda's environment", () => {
    fixture.template.resourceCountIs("AWS::Scheduler::ScheduleGroup", 1);
    const groupName = props<{ Name: string }>(fixture.stack.scheduling.group).Name;

    for (const entry of ["runner", "executor", "timer"] as const) {
      expect(envOf(entry)[SCHEDULER.groupEnv]).toBe(groupName);
    }
  });

  it("lets only scheduler.amazonaws.com of this account assume the target role", () => {
    expect(props(fixture.stack.scheduling.role)).toMatchObject({
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: "sts:AssumeRole",
            Effect: "Allow",
            Principal: { Service: "scheduler.amazonaws.com" },
            Condition: { StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } } },
          },
        ],
      },
    });
  });

  it("allows the target role nothing but SendMessage on the timers queue and its dead-letter queue", () => {
    const role = props<{ Policies: { PolicyDocument: { Statement: Statement[] } }[] }>(
      fixture.stack.scheduling.role,
    );
    const statements = role.Policies.flatMap((p) => p.PolicyDocument.Statement);

    expect(statements).toEqual([
      {
        Effect: "Allow",
        Action: "sqs:SendMessage",
        Resource: [
          { "Fn::GetAtt": [logicalId(fixture.stack.data.queues.timers), "Arn"] },
          { "Fn::GetAtt": [logicalId(fixture.stack.data.queues.timersDlq), "Arn"] },
        ],
      },
    ]);
    expect(
      Object.values(fixture.resources).filter(
        (r) =>
          r.Type === "AWS::IAM::Policy" &&
          JSON.stringify(r.Properties.Roles).includes(logicalId(fixture.stack.scheduling.role)),
      ),
    ).toEqual([]);
  });

  it.each(Object.keys(SCHEDULES) as ScheduleName[])(
    "delivers the %s schedule on time to the timers queue as the target role, retried until the next run, then to the DLQ",
    (name) => {
      const schedule = resourceOf(fixture.stack.scheduling.recurring[name]);
      const groupName = props<{ Name: string }>(fixture.stack.scheduling.group).Name;

      expect(schedule.Properties).toMatchObject({
        GroupName: groupName,
        State: "ENABLED",
        FlexibleTimeWindow: { Mode: "OFF" },
        Target: {
          Arn: { "Fn::GetAtt": [logicalId(fixture.stack.data.queues.timers), "Arn"] },
          RoleArn: { "Fn::GetAtt": [logicalId(fixture.stack.scheduling.role), "Arn"] },
          RetryPolicy: {
            MaximumEventAgeInSeconds: ratePeriodSeconds(SCHEDULES[name].expression),
            MaximumRetryAttempts: 185,
          },
          DeadLetterConfig: {
            Arn: { "Fn::GetAtt": [logicalId(fixture.stack.data.queues.timersDlq), "Arn"] },
          },
        },
      });
      expect(schedule.DependsOn).toContain(logicalId(fixture.stack.scheduling.group));
    },
  );

  it("lets a Lambda pass the target role to Scheduler only", () => {
    const passRole = statementsOf("executor").find((s) => asArray(s.Action).includes("iam:PassRole"));

    expect(passRole).toEqual({
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: { "Fn::GetAtt": [logicalId(fixture.stack.scheduling.role), "Arn"] },
      Condition: { StringEquals: { "iam:PassedToService": "scheduler.amazonaws.com" } },
    });
  });
});

describe("TidelineStack least privilege", () => {
  it("lets the event API put records on the stream, read its event keys and touch nothing else", () => {
    const actions = actionsOf("eventApi").filter((a) => !a.startsWith("logs:") && !a.startsWith("xray:"));

    expect(actions.sort()).toEqual(["kinesis:PutRecords", "ssm:GetParameter"]);
    expect(actionsOf("eventApi").some((a) => a.startsWith("dynamodb:"))).toBe(false);
  });

  it("lets only the API and the executor read the signing key, and only its value", () => {
    const readers = FUNCTION_NAMES.filter((e) => actionsOf(e).includes("secretsmanager:GetSecretValue"));

    expect(readers).toEqual(["api", "executor"]);
    expect(FUNCTION_NAMES.flatMap(actionsOf).filter((a) => a === "secretsmanager:DescribeSecret")).toEqual(
      [],
    );
  });

  it.each(FUNCTION_NAMES)(
    "grants %s exactly the DynamoDB actions its manifest entry names, table by table and index by index",
    (entry) => {
      const expected = grantedPermissions(FUNCTIONS[entry].grants)
        .filter((p) => p.action.startsWith("dynamodb:"))
        .map(describePermission);

      expect(dynamoPermissionsOf(entry).sort()).toEqual([...new Set(expected)].sort());
    },
  );

  it.each(FUNCTION_NAMES)(
    "grants %s exactly what its manifest entry names, and its event source what consuming it takes",
    (entry) => {
      const expected = [
        ...grantedPermissions(FUNCTIONS[entry].grants).map(describePermission),
        ...consumerPermissionsOf(entry),
      ];

      expect([...new Set(permissionsIn(entry))].sort()).toEqual([...new Set(expected)].sort());
    },
  );

  it("grants dynamodb:Scan to the API on the registry only (listing apps and functions)", () => {
    expect(holdersOf("dynamodb:Scan")).toEqual(["api: dynamodb:Scan on table:registry"]);
  });

  it("grants DeleteItem only on the pauses and flow tables, and ConditionCheckItem nowhere", () => {
    const deletes = holdersOf("dynamodb:DeleteItem").filter((p) => !/on table:(pauses|flow)$/.test(p));

    expect(deletes).toEqual([]);
    expect(holdersOf("dynamodb:DeleteItem").length).toBeGreaterThan(0);
    expect(holdersOf("dynamodb:ConditionCheckItem")).toEqual([]);
  });

  it("gives the executor and the timer nothing on the events table, and the timer only GetItem on the registry", () => {
    const on = (entry: FunctionName, table: TableName) =>
      dynamoPermissionsOf(entry).filter(
        (p) => p.endsWith(`on table:${table}`) || p.includes(`table:${table}/`),
      );

    expect(on("executor", "events")).toEqual([]);
    expect(on("timer", "events")).toEqual([]);
    expect(on("timer", "registry")).toEqual(["dynamodb:GetItem on table:registry"]);
  });

  it("grants each manifest index by name, with Query only", () => {
    const statements = FUNCTION_NAMES.flatMap(statementsOf);
    const onIndexes = statements.filter((s) => JSON.stringify(s.Resource).includes("/index/"));

    expect(JSON.stringify(statements)).not.toContain("/index/*");
    expect(onIndexes.length).toBeGreaterThan(0);
    expect([...new Set(onIndexes.flatMap((s) => asArray(s.Action)))]).toEqual(["dynamodb:Query"]);
  });

  it("lets the timer query the runs table's active index (the recovery sweep)", () => {
    const runsArn = { "Fn::GetAtt": [logicalId(fixture.stack.data.tables.runs), "Arn"] };
    const activeIndex = { "Fn::Join": ["", [runsArn, "/index/active"]] };
    const query = statementsOf("timer").filter(
      (s) =>
        asArray(s.Action).includes("dynamodb:Query") &&
        JSON.stringify(s.Resource).includes(JSON.stringify(activeIndex)),
    );

    expect(query).toHaveLength(1);
  });

  it("lets the API read payload objects, so REST and GraphQL can answer runs whose data is in S3", () => {
    const objects = fixture.stack.data.buckets.payloads.arnForObjects("*");
    const reads = statementsOf("api").filter(
      (s) =>
        asArray(s.Action).includes("s3:GetObject") &&
        JSON.stringify(s.Resource) === JSON.stringify(fixture.stack.resolve(objects)),
    );

    expect(reads).toHaveLength(1);
  });

  it("lets only the API list, update and delete schedules (cron syncs); the others only create them", () => {
    const scheduler = (entry: FunctionName) =>
      actionsOf(entry)
        .filter((a) => a.startsWith("scheduler:"))
        .sort();

    expect(scheduler("api")).toEqual([
      "scheduler:CreateSchedule",
      "scheduler:DeleteSchedule",
      "scheduler:ListSchedules",
      "scheduler:UpdateSchedule",
    ]);
    for (const entry of ["runner", "executor", "timer"] as const) {
      expect(scheduler(entry)).toEqual(["scheduler:CreateSchedule"]);
    }
    expect(scheduler("eventApi")).toEqual([]);
  });

  it("grants Resource * only for X-Ray and scheduler:ListSchedules, which have no resource-level permissions", () => {
    const statements = Object.values(fixture.resources)
      .filter((r) => r.Type === "AWS::IAM::Policy")
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .filter((s) => s.Resource === "*" || (Array.isArray(s.Resource) && s.Resource.includes("*")));

    const actions = statements.flatMap((s) => asArray(s.Action));
    expect(actions.filter((a) => !a.startsWith("xray:") && a !== "scheduler:ListSchedules")).toEqual([]);
  });
});

/** What CDK's event sources grant their consumer on the source, beside the manifest's grants. */
const CONSUMER_ACTIONS = {
  queue: ["ChangeMessageVisibility", "DeleteMessage", "GetQueueAttributes", "GetQueueUrl", "ReceiveMessage"],
  stream: [
    "DescribeStream",
    "DescribeStreamConsumer",
    "DescribeStreamSummary",
    "GetRecords",
    "GetShardIterator",
    "ListShards",
    "ListStreams",
    "SubscribeToShard",
  ],
} as const;

/** The permissions a function's event source brings, named like infra/stack/iamActions.ts names them. */
function consumerPermissionsOf(entry: FunctionName): string[] {
  const { source } = FUNCTIONS[entry];
  if (source.kind === "queue") return CONSUMER_ACTIONS.queue.map((a) => `sqs:${a} on queue:${source.queue}`);
  if (source.kind !== "stream") return [];
  return [
    ...CONSUMER_ACTIONS.stream.map((a) => `kinesis:${a} on stream:${source.stream}`),
    // The failure records (eventSources.ts S3FailureRecords).
    `s3:PutObject on bucket:${source.failureBucket}/*`,
    `s3:ListBucket on bucket:${source.failureBucket}`,
  ];
}

/** A function's grants as "action on <manifest key>" (fixture.ts `grantsOf`). */
function permissionsIn(entry: FunctionName): string[] {
  return grantsOf(fixture, fixture.stack.functions[entry].role);
}

/** A function's DynamoDB grants as "action on table:<name>" / "action on table:<name>/index/<index>". */
function dynamoPermissionsOf(entry: FunctionName): string[] {
  return permissionsIn(entry).filter((p) => p.startsWith("dynamodb:"));
}

/** "function: action on resource" for every function granted `action` on a table. */
function holdersOf(action: string): string[] {
  return FUNCTION_NAMES.flatMap((entry) =>
    dynamoPermissionsOf(entry)
      .filter((p) => p.startsWith(`${action} on `))
      .map((p) => `${entry}: ${p}`),
  );
}

describe("TidelineStack cdk-nag", () => {
  itHasNoNagFindings(() => fixture.stack);

  it("records a reason with every acknowledgement", () => {
    const acknowledged = acknowledgements(fixture.stack);

    expect(acknowledged.length).toBeGreaterThan(0);
    expect(unexplained(acknowledged)).toEqual([]);
  });
});
