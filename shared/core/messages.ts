import { z } from "zod";
import type { TimerItem } from "../ports/index.js";
import { tryParseJson } from "../protocol/json.js";
import type { Job } from "./types.js";

/** Queue and stream message bodies: their schemas, the job id, and one poison-safe parser. */

/**
 * Deterministic job id: the FIFO deduplication id and the key that makes a redelivered job
 * recognisable. Same run, version, step and attempt = same job.
 */
export function jobId(job: Job): string {
  return `${job.runId}-${job.version}-${job.stepId}-${job.attempt}`;
}

/** The body of a message on the timers queue (and of a Scheduler target input). */
export interface TimerMessage {
  item: TimerItem;
  /** Epoch ms when the item is due. */
  dueAt: number;
}

export const jobSchema = z.object({
  runId: z.string().min(1),
  fnSlug: z.string().min(1),
  stepId: z.string().min(1),
  attempt: z.number().int().min(0),
  version: z.number().int().min(0),
  partition: z.string().min(1),
});

/** An accepted event as the Event API puts it on the stream. */
export const acceptedEventSchema = z.object({
  internalId: z.string().min(1),
  receivedAt: z.number(),
  event: z.looseObject({
    name: z.string().min(1),
    id: z.string().min(1),
    ts: z.number(),
    data: z.record(z.string(), z.json()),
    user: z.record(z.string(), z.json()),
    v: z.string().optional(),
  }),
});

export const timerMessageSchema = z.object({
  dueAt: z.number(),
  item: z.object({ kind: z.literal("job"), job: jobSchema }),
});

/** Parses a message or request body; an error for a body that can never be processed (poison). */
export function parseMessage<T>(
  schema: z.ZodType<T>,
  body: string,
): { ok: true; value: T } | { ok: false; error: string } {
  const json = tryParseJson(body);
  if (!json.ok) return { ok: false, error: "body is not JSON" };
  const parsed = schema.safeParse(json.value);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, error: parsed.error.message };
}
