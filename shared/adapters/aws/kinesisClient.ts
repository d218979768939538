/**
 * The Kinesis client on its own, so a handler that only puts events (the event API) bundles no
 * other AWS client. clients.ts builds its Kinesis client with this same recipe.
 */
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { countAwsCalls } from "./callCounter.js";
import { notifyOnSend } from "./sendNotifier.js";
import { serialPutsOnEmulator } from "./serialPuts.js";

export function createKinesisClient(opts: { region?: string; env?: NodeJS.ProcessEnv } = {}): KinesisClient {
  const env = opts.env ?? process.env;
  const region = opts.region ?? env.AWS_REGION ?? "us-east-1";
  // Kinesis defaults to HTTP/2, needed only for SubscribeToShard (unused); emulators speak HTTP/1.1.
  return serialPutsOnEmulator(
    notifyOnSend(countAwsCalls(new KinesisClient({ region, requestHandler: new NodeHttpHandler() }))),
    env,
  );
}
