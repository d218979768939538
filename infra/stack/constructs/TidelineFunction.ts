/**
 * A Tideline Lambda built from its manifest entry (shared/resources.ts `FUNCTIONS`: handler,
 * description, timeout, memory) with the house defaults: Node 22 on arm64, an ESM bundle built by
 * the local esbuild (no Docker), X-Ray tracing, its own log group with a retention, and a role that
 * starts with nothing but write access to that log group. Every other permission arrives through
 * the bind helpers in `bind.ts`, which set the resource's environment variable in the same call.
 */
import { fileURLToPath } from "node:url";
import { Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Architecture, Runtime, Tracing } from "aws-cdk-lib/aws-lambda";
import { type BundlingOptions, NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { METRICS_NAMESPACE } from "../../../shared/metrics.js";
import type { FunctionSpec } from "../../../shared/resources.js";
import { notLatestRuntime } from "../nag.js";

/** Repository root, found from this file so synth works from any working directory. */
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export interface TidelineFunctionProps {
  /** The manifest entry: handler (`lambdas/<entry>.ts`), description, timeout and memory. */
  readonly spec: FunctionSpec;
  /** Variables set before any binding (the resource addresses every handler's config parses). */
  readonly environment?: Record<string, string>;
  /** Memory in MB instead of the manifest's `memoryMb` (a per-environment setting). */
  readonly memoryMb?: number;
  /**
   * Concurrency reserved for this function (and its ceiling). Lambda keeps 100 of the account's
   * quota unreserved, so the account needs a quota of at least the stack's reservations + 100.
   */
  readonly reservedConcurrency?: number;
}

/**
 * ESM output has no `require`; a few CommonJS dependencies call it for Node built-ins, so the
 * bundle defines one. The import is aliased so it cannot clash with a bundled `createRequire`.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __tidelineCreateRequire } from 'node:module'; const require = __tidelineCreateRequire(import.meta.url);";

/** esbuild on the host (no Docker): one minified ESM file per handler, source maps beside it. */
export const BUNDLING: BundlingOptions = {
  forceDockerBundling: false,
  format: OutputFormat.ESM,
  target: "node22",
  mainFields: ["module", "main"],
  banner: ESM_REQUIRE_BANNER,
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  // The AWS SDK v3 is bundled rather than taken from the runtime: the bundle then runs the
  // exact client versions the test suite ran (the runtime's copy lags and changes without a
  // deploy), and esbuild tree-shakes it into the one minified ESM file, which typically
  // initialises faster than resolving the runtime's CommonJS packages.
  bundleAwsSDK: true,
};

const RUNTIME_REASON =
  "Node.js 22 is the runtime Tideline targets and tests (bundle target node22); moving to a newer " +
  "runtime is a deliberate upgrade made together with the test suite.";

export class TidelineFunction extends Construct {
  /** The manifest entry this function was built from. */
  readonly spec: FunctionSpec;
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: TidelineFunctionProps) {
    super(scope, id);
    const { spec } = props;
    this.spec = spec;
    this.logGroup = new LogGroup(this, "Logs", {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Our own role instead of the default one, which carries the AWSLambdaBasicExecutionRole
    // managed policy (logs on every log group of the account).
    this.role = new Role(this, "Role", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: `Tideline ${spec.entry} Lambda`,
    });
    this.logGroup.grantWrite(this.role);

    this.fn = new NodejsFunction(this, "Function", {
      entry: `${ROOT}lambdas/${spec.entry}.ts`,
      handler: "handler",
      projectRoot: ROOT,
      depsLockFilePath: `${ROOT}package-lock.json`,
      description: spec.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memoryMb ?? spec.memoryMb,
      reservedConcurrentExecutions: props.reservedConcurrency,
      timeout: Duration.seconds(spec.timeoutSeconds),
      role: this.role,
      logGroup: this.logGroup,
      tracing: Tracing.ACTIVE,
      environment: {
        TIDELINE_MODE: "cloud",
        // Stack traces in the logs point at the TypeScript sources (the maps ship beside the bundle).
        NODE_OPTIONS: "--enable-source-maps",
        // Powertools: the stack name is the `service` dimension of the metrics and the traces.
        POWERTOOLS_SERVICE_NAME: Stack.of(this).stackName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        ...props.environment,
      },
      bundling: BUNDLING,
    });

    this.acknowledgeFindings();
  }

  private acknowledgeFindings(): void {
    Validations.of(this.fn).acknowledge(...notLatestRuntime(RUNTIME_REASON), {
      id: "Serverless-LambdaDLQ",
      reason:
        "No Tideline function is invoked asynchronously: HTTP API calls are synchronous and the " +
        "Kinesis/SQS mappings keep failures in the stream, the queues' DLQs or the S3 failure records.",
    });
    // Tracing.ACTIVE adds xray:PutTraceSegments/PutTelemetryRecords on "*" to the role's default
    // policy: X-Ray has no resource-level permissions. The unit test "grants Resource * only for
    // X-Ray" keeps this acknowledgement from hiding any other "*" grant on the same policy.
    Validations.of(this.role).acknowledge({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason: "X-Ray's PutTraceSegments and PutTelemetryRecords support no resource-level permissions.",
    });
  }

  /** Sets one environment variable on the function. */
  addEnvironment(name: string, value: string): void {
    this.fn.addEnvironment(name, value);
  }
}
