import { randomUUID } from "node:crypto";
import type { Context } from "aws-lambda";

/**
 * The Lambda context handed to each in-process invocation. `getRemainingTimeInMillis` counts down
 * from the function's timeout (the manifest's, see functions.ts), so handlers that budget their
 * time behave as they would on AWS.
 */
export function lambdaContext(
  functionName: string,
  timeoutMs: number,
  region = process.env.AWS_REGION,
): Context {
  const deadline = Date.now() + timeoutMs;
  const unsupported = (what: string) => () => {
    throw new Error(`context.${what}() is a legacy callback API; return a promise instead`);
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${region ?? "us-east-1"}:000000000000:function:${functionName}`,
    memoryLimitInMB: "1024",
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${functionName}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported("done"),
    fail: unsupported("fail"),
    succeed: unsupported("succeed"),
  };
}
