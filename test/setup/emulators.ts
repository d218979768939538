/**
 * Vitest global setup: starts moto and DynamoDB Local once for the whole run (unless
 * AWS_ENDPOINT_URL points at an emulator already, e.g. LocalStack) and hands their endpoints to
 * the test workers through `provide` (applied to process.env by test/setup/awsEnv.ts).
 */
import type { TestProject } from "vitest/node";
import { startEmulators } from "../../infra/local/emulators.js";

declare module "vitest" {
  export interface ProvidedContext {
    awsEnv: Record<string, string>;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const emulators = await startEmulators();
  if (emulators.started) {
    console.log(
      `[test] emulators up in ${Date.now() - started} ms: ${emulators.endpoints.aws}, ${emulators.endpoints.dynamodb}`,
    );
  }
  project.provide("awsEnv", emulators.env);
  return () => emulators.stop();
}
