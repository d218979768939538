/**
 * Holds the AWS stack to the resource manifest (shared/resources.ts): for every `FUNCTIONS` entry
 * the synthesized Lambda, its event source and its routes carry the manifest's numbers, and the
 * manifest's indexes and recurring schedules exist as written. Every assertion is keyed by a
 * manifest entry, so a number changed on one side only (the manifest or a construct) fails here.
 * The last block holds the local runtime (infra/local) to the same synthesized numbers, so the
 * two sides cannot drift apart: timeouts, mapping batch sizes, routes, the integration timeout.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { matchRoute } from "../../../infra/local/apiGatewayEvent.js";
import {
  compileRoutes,
  INTEGRATION_TIMEOUT_MS,
  localFunctions,
  mappingSettings,
} from "../../../infra/local/functions.js";
import { timerMessageSchema } from "../../../shared/domain/schemas.js";
import {
  FUNCTIONS,
  type FunctionName,
  type FunctionSpec,
  HTTP_INTEGRATION_TIMEOUT_SECONDS,
  resourceEnvNames,
  SCHEDULES,
  TABLES,
  type TableName,
  type TableSpec,
} from "../../../shared/resources.js";
import {
  type CfnResource,
  FUNCTION_NAMES,
  logicalIdOf,
  resourceOf,
  resourcesOfType,
  type Synthesized,
  synthesize,
} from "./fixture.js";

const spec = (name: FunctionName): FunctionSpec => FUNCTIONS[name];

let aws: Synthesized;

beforeAll(() => {
  aws = synthesize({}, { bundle: false });
}, 60_000);

interface LambdaProps {
  readonly Timeout: number;
  readonly MemorySize: number;
  readonly Description: string;
  readonly Environment: { readonly Variables: Record<string, unknown> };
}

function lambdaOf(name: FunctionName): LambdaProps {
  return resourceOf(aws, aws.stack.functions[name].fn).Properties as unknown as LambdaProps;
}

function functionRef(name: FunctionName): string {
  return JSON.stringify({ Ref: logicalIdOf(aws, aws.stack.functions[name].fn) });
}

function mappingsOf(name: FunctionName): Record<string, unknown>[] {
  return resourcesOfType(aws, "AWS::Lambda::EventSourceMapping")
    .filter(([, r]) => JSON.stringify(r.Properties.FunctionName) === functionRef(name))
    .map(([, r]) => r.Properties);
}

/** The function behind each route key of the HTTP API: route → integration → Lambda ARN. */
function routedFunctions(): Record<string, string> {
  const integrations = Object.fromEntries(resourcesOfType(aws, "AWS::ApiGatewayV2::Integration"));
  const out: Record<string, string> = {};
  for (const [, route] of resourcesOfType(aws, "AWS::ApiGatewayV2::Route")) {
    const target = route.Properties.Target as { "Fn::Join": [string, [string, { Ref: string }]] };
    const integration = integrations[target["Fn::Join"][1][1].Ref] as CfnResource;
    const uri = integration.Properties.IntegrationUri as { "Fn::GetAtt": [string, string] };
    out[String(route.Properties.RouteKey)] = uri["Fn::GetAtt"][0];
  }
  return out;
}

function getAtt(construct: Parameters<typeof logicalIdOf>[1]): unknown {
  return { "Fn::GetAtt": [logicalIdOf(aws, construct), "Arn"] };
}

describe("manifest ↔ AWS stack: functions", () => {
  it("builds one Lambda per FUNCTIONS entry and no other but the dashboard deployment's CDK handler", () => {
    const ids = [
      ...FUNCTION_NAMES.map((name) => logicalIdOf(aws, aws.stack.functions[name].fn)),
      logicalIdOf(aws, aws.stack.dashboard.deploymentHandler),
    ].sort();
    const lambdas = resourcesOfType(aws, "AWS::Lambda::Function")
      .map(([id]) => id)
      .sort();

    expect(lambdas).toEqual(ids);
  });

  it.each(FUNCTION_NAMES)("gives %s the manifest's timeout, memory and description", (name) => {
    const fn = lambdaOf(name);

    expect({ timeout: fn.Timeout, memory: fn.MemorySize, description: fn.Description }).toEqual({
      timeout: spec(name).timeoutSeconds,
      memory: spec(name).memoryMb,
      description: spec(name).description,
    });
  });

  it.each(FUNCTION_NAMES)("gives %s every resource address in resourceEnvNames()", (name) => {
    const variables = Object.keys(lambdaOf(name).Environment.Variables);

    expect(resourceEnvNames().filter((env) => !variables.includes(env))).toEqual([]);
  });

  it.each(FUNCTION_NAMES)("connects %s to exactly its manifest source", (name) => {
    const { source } = spec(name);
    const mappings = mappingsOf(name);

    if (source.kind === "http") {
      expect(mappings).toEqual([]);
      return;
    }
    expect(mappings).toHaveLength(1);
    const mapping = mappings[0] as Record<string, unknown>;
    if (source.kind === "stream") {
      expect(mapping).toMatchObject({
        EventSourceArn: getAtt(aws.stack.data.streams[source.stream]),
        StartingPosition: "TRIM_HORIZON",
        BatchSize: source.batchSize,
        ParallelizationFactor: source.parallelizationFactor,
        MaximumRetryAttempts: source.retryAttempts,
        MaximumRecordAgeInSeconds: source.maxRecordAgeHours * 3600,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ["ReportBatchItemFailures"],
      });
      expect(mapping.MaximumBatchingWindowInSeconds).toBeUndefined();
    } else {
      expect(mapping).toMatchObject({
        EventSourceArn: getAtt(aws.stack.data.queues[source.queue]),
        BatchSize: source.batchSize,
        FunctionResponseTypes: ["ReportBatchItemFailures"],
      });
      expect(mapping.MaximumBatchingWindowInSeconds).toBe(source.batchWindowSeconds);
      expect(mapping.ParallelizationFactor).toBeUndefined();
    }
  });
});

describe("manifest ↔ AWS stack: HTTP API", () => {
  it("routes exactly the http sources' route keys, each to its function", () => {
    const expected = Object.fromEntries(
      FUNCTION_NAMES.flatMap((name) => {
        const { source } = spec(name);
        const fnId = logicalIdOf(aws, aws.stack.functions[name].fn);
        return source.kind === "http" ? source.routes.map((route) => [route, fnId]) : [];
      }),
    );

    expect(routedFunctions()).toEqual(expected);
  });

  it.each(FUNCTION_NAMES.filter((name) => spec(name).source.kind === "http"))(
    "lets %s time out before the HTTP API's integration does",
    (name) => {
      expect(lambdaOf(name).Timeout).toBeLessThan(HTTP_INTEGRATION_TIMEOUT_SECONDS);
      for (const [, integration] of resourcesOfType(aws, "AWS::ApiGatewayV2::Integration")) {
        const timeout = integration.Properties.TimeoutInMillis as number | undefined;
        expect(timeout ?? HTTP_INTEGRATION_TIMEOUT_SECONDS * 1000).toBe(
          HTTP_INTEGRATION_TIMEOUT_SECONDS * 1000,
        );
      }
    },
  );
});

describe("manifest ↔ AWS stack: table indexes", () => {
  const tableNames = Object.keys(TABLES) as TableName[];

  it.each(tableNames)("gives the %s table exactly its manifest indexes", (name) => {
    const table: TableSpec = TABLES[name];
    const props = resourceOf(aws, aws.stack.data.tables[name]).Properties;
    const indexes = (table.indexes ?? []).map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: "HASH" },
        { AttributeName: index.sortKey.name, KeyType: "RANGE" },
      ],
      Projection: { ProjectionType: "INCLUDE", NonKeyAttributes: [...index.projection] },
    }));

    expect(props.GlobalSecondaryIndexes ?? []).toEqual(indexes);
    for (const index of table.indexes ?? []) {
      expect(props.AttributeDefinitions).toEqual(
        expect.arrayContaining([
          { AttributeName: index.partitionKey, AttributeType: "S" },
          { AttributeName: index.sortKey.name, AttributeType: index.sortKey.type },
        ]),
      );
    }
  });
});

describe("manifest ↔ AWS stack: recurring schedules", () => {
  it("creates exactly one schedule per SCHEDULES entry", () => {
    expect(resourcesOfType(aws, "AWS::Scheduler::Schedule")).toHaveLength(Object.keys(SCHEDULES).length);
  });

  it.each(Object.values(SCHEDULES).map((s) => [s.id, s] as const))(
    "schedules %s with its expression, delivering its item to the timers queue",
    (_id, schedule) => {
      const expected = { item: schedule.item, dueAt: 0 };
      const found = resourcesOfType(aws, "AWS::Scheduler::Schedule")
        .map(([, r]) => r.Properties as { ScheduleExpression: string; Target: Record<string, unknown> })
        .filter((p) => p.ScheduleExpression === schedule.expression)
        .filter((p) => JSON.stringify(JSON.parse(String(p.Target.Input))) === JSON.stringify(expected));

      expect(found).toHaveLength(1);
      const target = found[0]?.Target ?? {};
      expect(target.Arn).toEqual(getAtt(aws.stack.data.queues.timers));
      expect(timerMessageSchema.parse(JSON.parse(String(target.Input)))).toEqual(expected);
    },
  );
});

describe("manifest ↔ local runtime: the same numbers as the stack", () => {
  const local = localFunctions();

  it("runs every function of the stack locally, with the stack's timeout", () => {
    expect(local.map((fn) => fn.name).sort()).toEqual([...FUNCTION_NAMES].sort());
    for (const fn of local) expect(fn.timeoutMs).toBe(lambdaOf(fn.name).Timeout * 1000);
  });

  it("polls each event source with the batch size of the stack's mapping", () => {
    for (const fn of local) {
      const settings = mappingSettings(fn);
      const mappings = mappingsOf(fn.name);
      if (!settings) {
        expect(mappings).toEqual([]);
        continue;
      }
      expect(mappings).toHaveLength(1);
      expect(settings.batchSize).toBe(mappings[0]?.BatchSize);
      expect(settings.timeoutMs).toBe(lambdaOf(fn.name).Timeout * 1000);
    }
  });

  it("routes each of the stack's route keys to the same function", () => {
    const routes = compileRoutes(local);
    const stack = routedFunctions();
    const byLogicalId = Object.fromEntries(
      FUNCTION_NAMES.map((name) => [logicalIdOf(aws, aws.stack.functions[name].fn), name]),
    );
    expect(routes.map((r) => r.routeKey).sort()).toEqual(Object.keys(stack).sort());
    for (const route of routes) expect(route.fn.name).toBe(byLogicalId[stack[route.routeKey] ?? ""]);
    // Everything else goes where the stack's default integration goes.
    const fallback = matchRoute(routes, "GET", "/anything/else");
    expect(fallback?.routeKey).toBe("$default");
    const defaultFn = FUNCTION_NAMES.find((name) => {
      const source = spec(name).source;
      return source.kind === "http" && source.routes.includes("$default");
    });
    expect(fallback?.fn.name).toBe(defaultFn);
  });

  it("cuts HTTP requests off at API Gateway's integration timeout, above every HTTP function's timeout", () => {
    expect(INTEGRATION_TIMEOUT_MS).toBe(HTTP_INTEGRATION_TIMEOUT_SECONDS * 1000);
    for (const fn of local.filter((f) => f.spec.source.kind === "http")) {
      expect(fn.timeoutMs).toBeLessThan(INTEGRATION_TIMEOUT_MS);
    }
  });
});
