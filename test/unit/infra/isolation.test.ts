/**
 * Concurrency isolation and throttling (infra/stack/settings.ts): the queue consumers are capped
 * (SQS MaximumConcurrency) so they cannot take the whole account's Lambda concurrency, the event
 * API alone may have reserved concurrency, and each HTTP route has its own API Gateway throttle.
 * Synthesis skips esbuild (stack.test.ts bundles); a default and a customised stack, built once.
 */
import { ServerlessChecks } from "cdk-nag";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULTS, resolveSettings } from "../../../infra/stack/settings.js";
import { TidelineStack, type TidelineStackProps } from "../../../infra/stack/TidelineStack.js";
import type { FunctionName } from "../../../shared/resources.js";
import {
  acknowledgements,
  type CfnResource,
  FUNCTION_NAMES,
  logicalIdOf,
  newApp,
  resourceOf,
  resourcesOfType,
  type Synthesized,
  synthesize,
} from "./fixture.js";

const EVENT_ROUTE = "POST /e/{eventKey}";

const CUSTOM: TidelineStackProps = {
  executorMaxConcurrency: 50,
  timerMaxConcurrency: 5,
  eventApiReservedConcurrency: 20,
  eventApiRateLimit: 750.5,
  eventApiBurstLimit: 300,
  apiRateLimit: 120,
  apiBurstLimit: 60,
};

/** Building the stack is enough for the settings' checks: they throw before anything is bundled. */
function build(props: TidelineStackProps): TidelineStack {
  return new TidelineStack(newApp({ bundle: false }), "Bad", props);
}

/** The one event-source mapping of a function. */
function mappingOf(s: Synthesized, name: FunctionName): Record<string, unknown> {
  const fnId = logicalIdOf(s, s.stack.functions[name].fn);
  const mappings = resourcesOfType(s, "AWS::Lambda::EventSourceMapping").filter(
    ([, r]) => JSON.stringify(r.Properties.FunctionName) === JSON.stringify({ Ref: fnId }),
  );
  const [only, ...others] = mappings;
  if (!only || others.length > 0) throw new Error(`${name} has ${mappings.length} event-source mappings`);
  return only[1].Properties;
}

function reservedOf(s: Synthesized): Record<string, unknown> {
  return Object.fromEntries(
    FUNCTION_NAMES.map((n) => [
      n,
      resourceOf(s, s.stack.functions[n].fn).Properties.ReservedConcurrentExecutions,
    ]),
  );
}

function stageOf(s: Synthesized): CfnResource {
  return resourceOf(s, s.stack.http.stage);
}

let defaults: Synthesized;
let custom: Synthesized;

beforeAll(() => {
  defaults = synthesize({}, { bundle: false });
  custom = synthesize(CUSTOM, { bundle: false });
}, 60_000);

describe("Queue consumer concurrency", () => {
  it("caps the executor and the timer at their default maximum concurrency", () => {
    expect(mappingOf(defaults, "executor").ScalingConfig).toEqual({
      MaximumConcurrency: DEFAULTS.executorMaxConcurrency,
    });
    expect(mappingOf(defaults, "timer").ScalingConfig).toEqual({
      MaximumConcurrency: DEFAULTS.timerMaxConcurrency,
    });
  });

  it("caps them at the configured maximum concurrency", () => {
    expect(mappingOf(custom, "executor").ScalingConfig).toEqual({ MaximumConcurrency: 50 });
    expect(mappingOf(custom, "timer").ScalingConfig).toEqual({ MaximumConcurrency: 5 });
  });

  it("leaves the stream mapping to its shards and parallelization (no maximum concurrency)", () => {
    expect(mappingOf(custom, "runner").ScalingConfig).toBeUndefined();
  });

  it.each([
    [{ executorMaxConcurrency: 1 }, /executorMaxConcurrency must be an integer from 2 to 1000 \(got 1\)/],
    [{ timerMaxConcurrency: 1001 }, /timerMaxConcurrency must be an integer from 2 to 1000 \(got 1001\)/],
  ] as [TidelineStackProps, RegExp][])("rejects %j, outside Lambda's bounds", (props, message) => {
    expect(() => build(props)).toThrow(message);
  });
});

describe("Event API reserved concurrency", () => {
  it("reserves nothing by default, so the stack deploys in an account with any quota", () => {
    expect(Object.values(reservedOf(defaults)).filter((v) => v !== undefined)).toEqual([]);
  });

  it("reserves the configured concurrency for the event API only", () => {
    expect(reservedOf(custom)).toEqual({
      ...Object.fromEntries(FUNCTION_NAMES.map((n) => [n, undefined])),
      eventApi: 20,
    });
  });

  it("treats 0 as no reservation and rejects a negative one", () => {
    expect(
      resolveSettings({ eventApiReservedConcurrency: 0 }).functions.eventApi.reservedConcurrency,
    ).toBeUndefined();
    expect(() => build({ eventApiReservedConcurrency: -1 })).toThrow(
      /eventApiReservedConcurrency must be an integer from 0 to 10000 \(got -1\)/,
    );
  });
});

describe("HTTP API throttling", () => {
  it("throttles each route with its default rate and burst, $default's being the stage default", () => {
    expect(stageOf(defaults).Properties).toMatchObject({
      RouteSettings: {
        [EVENT_ROUTE]: {
          ThrottlingRateLimit: DEFAULTS.eventApiRateLimit,
          ThrottlingBurstLimit: DEFAULTS.eventApiBurstLimit,
        },
        $default: {
          ThrottlingRateLimit: DEFAULTS.apiRateLimit,
          ThrottlingBurstLimit: DEFAULTS.apiBurstLimit,
        },
      },
      DefaultRouteSettings: {
        ThrottlingRateLimit: DEFAULTS.apiRateLimit,
        ThrottlingBurstLimit: DEFAULTS.apiBurstLimit,
      },
    });
  });

  it("throttles each route with the configured rate and burst", () => {
    expect(stageOf(custom).Properties).toMatchObject({
      RouteSettings: {
        [EVENT_ROUTE]: { ThrottlingRateLimit: 750.5, ThrottlingBurstLimit: 300 },
        $default: { ThrottlingRateLimit: 120, ThrottlingBurstLimit: 60 },
      },
      DefaultRouteSettings: { ThrottlingRateLimit: 120, ThrottlingBurstLimit: 60 },
    });
  });

  it("has a setting for every route and creates the stage after the routes its settings name", () => {
    const routes = resourcesOfType(custom, "AWS::ApiGatewayV2::Route");
    const settings = stageOf(custom).Properties.RouteSettings as Record<string, unknown>;

    expect(routes.map(([, r]) => r.Properties.RouteKey).sort()).toEqual(Object.keys(settings).sort());
    expect(stageOf(custom).DependsOn).toEqual(expect.arrayContaining(routes.map(([id]) => id)));
  });

  it("meets Serverless-APIGWDefaultThrottling without an acknowledgement", () => {
    const acknowledged = acknowledgements(custom.stack).map(([id]) => id);
    const findings = new ServerlessChecks()
      .validateScope(custom.stack)
      .violations.filter((v) => v.ruleName.includes("APIGWDefaultThrottling"));

    expect(acknowledged.filter((id) => id.includes("APIGWDefaultThrottling"))).toEqual([]);
    expect(findings).toEqual([]);
  });

  it.each([
    [{ eventApiRateLimit: 0 }, /eventApiRateLimit must be a number from 1 to 1000000 \(got 0\)/],
    [{ apiBurstLimit: 2.5 }, /apiBurstLimit must be an integer from 1 to 1000000 \(got 2.5\)/],
  ] as [TidelineStackProps, RegExp][])("rejects %j", (props, message) => {
    expect(() => build(props)).toThrow(message);
  });
});
