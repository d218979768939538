/**
 * The Powertools side of the business metrics: the EMF line a deployed function prints (namespace,
 * `service` dimension, names and units from shared/metrics.ts), printed once per invocation by
 * the one middleware stack, and nothing at all outside a deployed function.
 */
import type { Context } from "aws-lambda";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createEmf, emfMetrics, publishMetrics } from "../../../lambdas/metrics.js";
import { isDeployedFunction } from "../../../lambdas/runtime.js";
import { METRICS_NAMESPACE, METRICS_SERVICE_DIMENSION } from "../../../shared/metrics.js";

interface EmfBlob {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

/** The lines written to stdout while `act` runs. */
async function stdoutOf(act: () => unknown): Promise<string[]> {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split("\n").filter(Boolean));
    return true;
  });
  try {
    await act();
  } finally {
    spy.mockRestore();
  }
  return lines;
}

const context = { functionName: "EventApi", awsRequestId: "req-1" } as Context;

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe("the Powertools metrics adapter", () => {
  it("prints one EMF line in the Tideline namespace with the stack as the service dimension", async () => {
    const emf = createEmf({ POWERTOOLS_SERVICE_NAME: "TidelineProd" });
    const metrics = emfMetrics(emf);

    const lines = await stdoutOf(() => {
      metrics.count("eventsAccepted", 3);
      metrics.duration("stepLatency", 12.5);
      publishMetrics(emf);
    });

    expect(lines).toHaveLength(1);
    const blob = JSON.parse(lines[0] ?? "") as EmfBlob;
    expect(blob._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: METRICS_NAMESPACE,
        Dimensions: [[METRICS_SERVICE_DIMENSION]],
        Metrics: [
          { Name: "EventsAccepted", Unit: "Count" },
          { Name: "StepLatency", Unit: "Milliseconds" },
        ],
      },
    ]);
    expect(blob).toMatchObject({ service: "TidelineProd", EventsAccepted: 3, StepLatency: 12.5 });
    expect(typeof blob._aws.Timestamp).toBe("number");
  });

  it("prints nothing, not even a warning, for an invocation that recorded nothing", async () => {
    const emf = createEmf({ POWERTOOLS_SERVICE_NAME: "TidelineProd" });
    const errors = vi.spyOn(process.stderr, "write").mockImplementation(() => true);

    const lines = await stdoutOf(() => publishMetrics(emf));

    expect(lines).toEqual([]);
    expect(errors).not.toHaveBeenCalled();
    errors.mockRestore();
  });

  it("publishes what each invocation recorded when the handler returns or throws", async () => {
    vi.stubEnv("TIDELINE_MODE", "cloud");
    vi.stubEnv("AWS_LAMBDA_FUNCTION_NAME", "EventApi");
    vi.stubEnv("POWERTOOLS_SERVICE_NAME", "TidelineProd");
    vi.stubEnv("POWERTOOLS_TRACE_ENABLED", "false");
    vi.stubEnv("TIDELINE_LOG_LEVEL", "SILENT");
    const { metrics } = await import("../../../lambdas/metrics.js");
    const { handlerWith } = await import("../../../lambdas/middleware.js");
    const handler = handlerWith("test", async (n: number) => {
      metrics.count("eventsAccepted", n);
      if (n === 0) throw new Error("nothing to accept");
      return n;
    });

    const first = await stdoutOf(() => handler(3, context));
    const second = await stdoutOf(() => handler(2, context));
    const failed = await stdoutOf(() => handler(0, context).catch(() => undefined));

    expect([...first, ...second, ...failed].map((l) => (JSON.parse(l) as EmfBlob).EventsAccepted)).toEqual([
      3, 2, 0,
    ]);
  });
});

describe("isDeployedFunction", () => {
  it("is true only for a cloud-mode handler inside Lambda", () => {
    expect(isDeployedFunction({ AWS_LAMBDA_FUNCTION_NAME: "EventApi" })).toBe(true);
    expect(isDeployedFunction({ AWS_LAMBDA_FUNCTION_NAME: "EventApi", TIDELINE_MODE: "cloud" })).toBe(true);
    expect(isDeployedFunction({ AWS_LAMBDA_FUNCTION_NAME: "EventApi", TIDELINE_MODE: "dev" })).toBe(false);
    expect(isDeployedFunction({ TIDELINE_MODE: "cloud" })).toBe(false);
  });

  it("leaves the handlers' metrics silent in `tideline dev`", async () => {
    vi.stubEnv("TIDELINE_MODE", "dev");
    vi.stubEnv("AWS_LAMBDA_FUNCTION_NAME", "EventApi");
    const { metrics } = await import("../../../lambdas/metrics.js");
    const { noMetrics } = await import("../../../shared/ports/metrics.js");

    expect(metrics).toBe(noMetrics);
  });
});
