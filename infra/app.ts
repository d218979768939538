/**
 * CDK entry (`cdk.json` builds the dashboard, then runs `npx tsx infra/app.ts`). One env-agnostic stack per stage, named
 * `Tideline-<stage>` (`-c stage=prod`, default `dev`; `-c stackName=<name>` to keep another name),
 * built from the resource manifest (shared/resources.ts) and checked by cdk-nag's AWS Solutions and
 * Serverless packs on every synth. The per-environment settings (retention, memory, log level,
 * removal policy, custom domain, Kinesis mode, concurrency, throttling, tags) are context keys named
 * like the stack props, parsed and validated in infra/stack/settings.ts.
 *
 *   npx cdk deploy -c eventKeyHashes=<sha256 hex of an event key>[,<another>] \
 *                  -c apiKeyHashes=<sha256 hex of an API key>[,<another>] \
 *                  -c alertEmail=<address the alarm topic mails>
 */
import { App } from "aws-cdk-lib";
import { addNagChecks } from "./stack/nag.js";
import { DEFAULTS, settingsFromContext, stackNameFor } from "./stack/settings.js";
import { TidelineStack } from "./stack/TidelineStack.js";

const app = new App();
const hashes = (name: string) =>
  String(app.node.tryGetContext(name) ?? "")
    .split(",")
    .map((h) => h.trim())
    .filter((h) => h.length > 0);

const settings = settingsFromContext(app.node);
const stackName = String(app.node.tryGetContext("stackName") ?? "").trim();

new TidelineStack(app, stackName || stackNameFor(settings.stage ?? DEFAULTS.stage), {
  ...settings,
  description: "Tideline: Inngest-compatible durable functions on AWS managed services",
  eventKeyHashes: hashes("eventKeyHashes"),
  apiKeyHashes: hashes("apiKeyHashes"),
  alertEmail: String(app.node.tryGetContext("alertEmail") ?? "").trim() || undefined,
});
addNagChecks(app);
