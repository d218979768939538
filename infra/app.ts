/**
 * CDK entry (`cdk.json`: `npx tsx infra/app.ts`). One env-agnostic stack named `Tideline`, built
 * from the resource manifest (shared/resources.ts) and checked by cdk-nag's AWS Solutions and
 * Serverless packs on every synth.
 *
 *   npx cdk deploy -c eventKeyHashes=<sha256 hex of an event key>[,<another>] \
 *                  -c apiKeyHashes=<sha256 hex of an API key>[,<another>]
 */
import { App } from "aws-cdk-lib";
import { addNagChecks } from "./stack/nag.js";
import { TidelineStack } from "./stack/TidelineStack.js";

const app = new App();
const hashes = (name: string) =>
  String(app.node.tryGetContext(name) ?? "")
    .split(",")
    .map((h) => h.trim())
    .filter((h) => h.length > 0);

new TidelineStack(app, "Tideline", {
  description: "Tideline: Inngest-compatible durable functions on AWS managed services",
  eventKeyHashes: hashes("eventKeyHashes"),
  apiKeyHashes: hashes("apiKeyHashes"),
});
addNagChecks(app);
