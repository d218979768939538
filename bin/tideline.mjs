#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx tideline dev` needs no build step.
import { register } from "tsx/esm/api";

// The AWS SDK warns that future releases need Node 22; `tideline dev` supports Node 20 on purpose.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
register();
const { main } = await import("../infra/local/cli.ts");
// Exit explicitly: SDK keep-alive sockets and handler timers must not keep a stopped server alive.
process.exit(await main(process.argv.slice(2)));
