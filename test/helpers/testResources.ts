import { createResources } from "../../infra/local/bootstrap.js";
import { randomSuffix } from "./randomSuffix.js";

/**
 * Creates the manifest's resources under a random prefix (so test files never share queues or
 * tables) and returns their environment, which is also set on process.env.
 */
export async function testResources(
  name: string,
  opts: { shardCount?: number } = {},
): Promise<Record<string, string>> {
  const prefix = `t-${name
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .slice(0, 20)}-${randomSuffix()}`;
  return createResources(prefix, opts);
}
