/**
 * X-Ray on a deployed function only: there the AWS SDK clients carry X-Ray's instrumentation and
 * each invocation is wrapped by the Tracer's middleware; in `tideline dev` and the in-process tests
 * the clients are left alone and no Tracer is loaded.
 */
import type { Context } from "aws-lambda";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createAwsClients } from "../../../shared/adapters/aws/clients.js";

const XRAY_MIDDLEWARE = "XRaySDKInstrumentation";

/** Whether a client's middleware stack includes X-Ray's. */
function isTraced(client: { middlewareStack: { identify(): string[] } }): boolean {
  return client.middlewareStack.identify().some((m) => m.startsWith(XRAY_MIDDLEWARE));
}

/** lambdas/tracing.ts as a process with this environment loads it. */
async function tracingWith(env: Record<string, string>) {
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  vi.resetModules();
  return import("../../../lambdas/tracing.js");
}

/** What Lambda sets (the X-Ray SDK reads LAMBDA_TASK_ROOT once, when it loads). */
const LAMBDA = {
  AWS_LAMBDA_FUNCTION_NAME: "Executor",
  AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
  LAMBDA_TASK_ROOT: "/var/task",
};

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("tracing", () => {
  it("traces every AWS client of the set, and the invocation, on a deployed function", async () => {
    const tracing = await tracingWith({ ...LAMBDA, TIDELINE_MODE: "cloud" });
    const clients = tracing.tracedClients(createAwsClients({ region: "us-east-1", env: {} }));

    expect([clients.doc, clients.sqs, clients.kinesis, clients.s3, clients.scheduler].map(isTraced)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(clients.sqs).toBe(clients.sqs);
    expect(tracing.handlerTracing).toBeDefined();
  });

  it("leaves the clients untraced and loads no Tracer in tideline dev", async () => {
    const tracing = await tracingWith({ ...LAMBDA, TIDELINE_MODE: "dev" });
    const raw = createAwsClients({ region: "us-east-1", env: {} });

    expect(tracing.tracedClients(raw)).toBe(raw);
    expect(isTraced(raw.sqs)).toBe(false);
    expect(tracing.handlerTracing).toBeUndefined();
  });

  it("stays off on Lambda when POWERTOOLS_TRACE_ENABLED is false", async () => {
    const tracing = await tracingWith({
      ...LAMBDA,
      TIDELINE_MODE: "cloud",
      POWERTOOLS_TRACE_ENABLED: "false",
    });

    expect(tracing.handlerTracing).toBeUndefined();
    expect(isTraced(tracing.traced(createAwsClients({ region: "us-east-1", env: {} }).kinesis))).toBe(false);
  });
});

/** What a deployed function's invocation has: a sampled trace and a daemon (here nothing listens). */
const INVOCATION = {
  ...LAMBDA,
  TIDELINE_MODE: "cloud",
  TIDELINE_LOG_LEVEL: "SILENT",
  POWERTOOLS_METRICS_DISABLED: "true",
  _X_AMZN_TRACE_ID: "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
  AWS_XRAY_DAEMON_ADDRESS: "127.0.0.1:9",
  _HANDLER: "index.handler",
};

describe("handlerWith on a deployed function", () => {
  it("answers through the Tracer's middleware, its invocation traced as a subsegment", async () => {
    await tracingWith(INVOCATION);
    const { handlerWith } = await import("../../../lambdas/middleware.js");
    const { handlerTracing } = await import("../../../lambdas/tracing.js");
    const { default: xray } = await import("aws-xray-sdk-core");
    const handler = handlerWith("test", async (n: number) => ({
      n: n + 1,
      segment: xray.getSegment()?.name,
    }));

    expect(handlerTracing).toBeDefined();
    expect(await handler(1, { functionName: "Executor", awsRequestId: "r" } as Context)).toEqual({
      n: 2,
      segment: "## index.handler",
    });
  });

  it("keeps the handler's answer (user data) out of its subsegment", async () => {
    await tracingWith(INVOCATION);
    const { handlerWith } = await import("../../../lambdas/middleware.js");
    const { default: xray } = await import("aws-xray-sdk-core");
    let subsegment: ReturnType<typeof xray.getSegment>;
    const handler = handlerWith("test", async () => {
      subsegment = xray.getSegment();
      return { output: "a run's output" };
    });

    await handler(undefined, { functionName: "Executor", awsRequestId: "r" } as Context);

    expect(subsegment?.name).toBe("## index.handler");
    expect(JSON.stringify(subsegment)).not.toContain("a run's output");
  });
});
