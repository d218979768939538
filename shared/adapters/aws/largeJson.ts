import type { Json } from "../../domain/json.js";
import type { BlobStore } from "../../ports/index.js";

/**
 * User data (event payloads, step outputs) is stored as JSON text: DynamoDB maps cannot nest
 * deeper than 32 levels and reject some values, and text round-trips exactly. Text over the
 * inline limit goes to the payload bucket behind a pointer so items stay under 400 KB.
 */
export const INLINE_LIMIT_BYTES = 64 * 1024;

export type EncodedJson = { j: string } | { ref: string };

function field(value: unknown, name: string): string | undefined {
  if (typeof value !== "object" || value === null || !(name in value)) return undefined;
  const v: unknown = Reflect.get(value, name);
  return typeof v === "string" ? v : undefined;
}

export class LargeJson {
  constructor(
    private readonly blobs: BlobStore,
    private readonly inlineLimit = INLINE_LIMIT_BYTES,
  ) {}

  /** Accepts any JSON-serialisable value (records are plain data); undefined stays absent. */
  async encode(value: unknown, key: string): Promise<EncodedJson | undefined> {
    if (value === undefined) return undefined;
    const text = JSON.stringify(value);
    if (Buffer.byteLength(text, "utf8") <= this.inlineLimit) return { j: text };
    await this.blobs.put(key, text);
    return { ref: key };
  }

  /**
   * Writes a stored payload again, so the bucket's lifecycle rule (which counts from an object's
   * creation) starts its age over: the runs store does this for a run that outlives it.
   */
  async rewrite(encoded: unknown): Promise<void> {
    const ref = field(encoded, "ref");
    if (ref === undefined) return;
    const text = await this.blobs.get(ref);
    if (text === undefined) throw new Error(`payload ${ref} is missing from the payload bucket`);
    await this.blobs.put(ref, text);
  }

  async decode(encoded: unknown): Promise<Json | undefined> {
    const inline = field(encoded, "j");
    if (inline !== undefined) return JSON.parse(inline) as Json;
    const ref = field(encoded, "ref");
    if (ref !== undefined) {
      const text = await this.blobs.get(ref);
      if (text === undefined) throw new Error(`payload ${ref} is missing from the payload bucket`);
      return JSON.parse(text) as Json;
    }
    return undefined;
  }
}
