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
  /**
   * When the runtime stops (if it is stopping): the remaining time ends there, so a handler that
   * budgets its time (the executor going on with a run itself) winds down and hands its work back
   * to the queue, as it would near its timeout on AWS.
   */
  stoppingAt: () => number | undefined = () => undefined,
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
    getRemainingTimeInMillis: () => Math.max(0, Math.min(deadline, stoppingAt() ?? deadline) - Date.now()),
    done: unsupported("done"),
    fail: unsupported("fail"),
    succeed: unsupported("succeed"),
  };
}
