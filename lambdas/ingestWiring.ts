/**
 * The event API's dependencies, built once per container: only the Kinesis stream and the event
 * keys. Kept apart from wiring.ts so the event API's bundle leaves out the other adapters and
 * Secrets Manager: its cold start is on the SDK apps' send path. It builds its own Kinesis client
 * (kinesisClient.ts) rather than the shared set of clients.ts, which would bundle all of them.
 */

import { KinesisEventStream } from "../shared/adapters/aws/KinesisEventStream.js";
import { createKinesisClient } from "../shared/adapters/aws/kinesisClient.js";
import { loadConfig } from "../shared/config.js";
import type { IngestDeps } from "../shared/core/ingest/acceptEvents.js";
import { eventKeyHashesFrom } from "./eventKeys.js";
import { metrics } from "./metrics.js";
import { traced } from "./tracing.js";

export async function ingestDeps(): Promise<IngestDeps> {
  const config = loadConfig();
  return {
    stream: new KinesisEventStream(traced(createKinesisClient()), config.stream),
    clock: { now: () => Date.now() },
    mode: config.mode,
    eventKeyHashes: await eventKeyHashesFrom(process.env, config.eventKeyHashes),
    metrics,
  };
}
