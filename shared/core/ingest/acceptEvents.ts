import { UnauthorizedError, ValidationError } from "../../domain/errors.js";
import type { Clock, EventStream } from "../../ports/index.js";
import type { Metrics } from "../../ports/metrics.js";
import { parseEventPayload } from "../../protocol/events.js";
import { type EventKeyHashes, hashEventKey } from "./eventKeys.js";

export interface IngestDeps {
  stream: EventStream;
  clock: Clock;
  mode: "dev" | "cloud";
  /** The accepted event keys' sha256 hex, read on each cloud-mode request (keys rotate). */
  eventKeyHashes: EventKeyHashes;
  /** Counts the events put on the stream; nothing is recorded without it. */
  metrics?: Metrics;
}

/**
 * The Event API: authenticate the key (any key in dev mode), validate, assign ids (seeded from
 * the SDK's header so its retries keep their ids), put the batch on the stream.
 */
export async function acceptEvents(
  deps: IngestDeps,
  req: { eventKey: string; body: string; seedHeader?: string | null },
): Promise<{ ids: string[]; status: 200 }> {
  if (deps.mode === "cloud") {
    if (!req.eventKey || req.eventKey === "NO_EVENT_KEY_SET")
      throw new UnauthorizedError("Event key is required");
    if (!(await deps.eventKeyHashes()).includes(hashEventKey(req.eventKey)))
      throw new UnauthorizedError("Event key not found");
  }
  const parsed = parseEventPayload(req.body, { nowMs: deps.clock.now(), seedHeader: req.seedHeader });
  if (!parsed.ok) throw new ValidationError(parsed.error, parsed.status);
  await deps.stream.put(parsed.events);
  deps.metrics?.count("eventsAccepted", parsed.events.length);
  return { ids: parsed.events.map((e) => e.internalId), status: 200 };
}
