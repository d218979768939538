import type { z } from "zod";
import { parseMessage } from "../domain/messages.js";
import type { BlobStore, Clock } from "../ports/index.js";

/** Where poison records are kept: the payload bucket, under this prefix. */
export const POISON_PREFIX = "poison";

/**
 * Keeps a message that can never be processed (bad JSON, wrong shape, nesting too deep) so it is
 * skipped without vanishing: its body and the reason go to the blob store under
 * `poison/<source>/<yyyy-mm-dd>/<id>.json`, from where it can be inspected and replayed.
 */
export async function recordPoison(
  blobs: BlobStore,
  poison: { source: string; id: string; body: string; error: string; at: number },
): Promise<string> {
  const day = new Date(poison.at).toISOString().slice(0, 10);
  const safeId = poison.id.replace(/[^A-Za-z0-9._-]/g, "_");
  const key = `${POISON_PREFIX}/${poison.source}/${day}/${safeId}.json`;
  await blobs.put(
    key,
    JSON.stringify({
      source: poison.source,
      id: poison.id,
      error: poison.error,
      at: poison.at,
      body: poison.body,
    }),
  );
  return key;
}

/**
 * Parses a message body with its schema; a body that can never be processed is kept with
 * `recordPoison` and comes back as `{ ok: false }` with where it was kept, for the caller to skip.
 */
export async function parseOrKeep<T>(
  deps: { blobs: BlobStore; clock: Clock },
  schema: z.ZodType<T>,
  message: { source: string; id: string; body: string },
): Promise<{ ok: true; value: T } | { ok: false; key: string; error: string }> {
  const parsed = parseMessage(schema, message.body);
  if (parsed.ok) return parsed;
  const key = await recordPoison(deps.blobs, { ...message, error: parsed.error, at: deps.clock.now() });
  return { ok: false, key, error: parsed.error };
}
