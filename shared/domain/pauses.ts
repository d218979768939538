/**
 * Where pauses live and how they are found. A pause on an event name is stored in the partition
 * of that name, or, when its condition pins a value (`async.data.id == "o_1"`), in the partition
 * of that name, path and value: an incoming event then reads only the partitions its own values
 * select, however many runs wait on the name. Signals have a partition each.
 */
import { isJsonObject } from "./json.js";
import type { Pause, PauseRef } from "./schemas.js";

/** DynamoDB's limit on a partition key, in UTF-8 bytes. */
export const PARTITION_KEY_MAX_BYTES = 2048;

export function eventPartition(eventName: string, index?: { path: string; key: string }): string {
  return index ? `EVT#${eventName}#${index.path}#${index.key}` : `EVT#${eventName}`;
}

/**
 * Whether pauses can be kept for an event name: its partitions (and the stores' other keys built
 * from it, with a short prefix) stay within DynamoDB's 2 KiB. A wait on a longer name fails its
 * step, and an event with one has no pauses to look up.
 */
export function pausableName(eventName: string): boolean {
  return Buffer.byteLength(eventName, "utf8") <= PARTITION_KEY_MAX_BYTES - 16;
}

/**
 * The partition of a pinned value, or undefined when its key would pass DynamoDB's 2 KiB: such a
 * pause stays in its name's unindexed partition, and an event never queries a key that long.
 */
export function indexedPartition(
  eventName: string,
  index: { path: string; key: string },
): string | undefined {
  const partition = eventPartition(eventName, index);
  return Buffer.byteLength(partition, "utf8") <= PARTITION_KEY_MAX_BYTES ? partition : undefined;
}

export function signalPartition(signal: string): string {
  return `SIG#${signal}`;
}

/** The partitions an event reads, given its name's indexed paths ("" = the unindexed one). */
export function partitionsFor(event: { name: string; data: unknown }, paths: readonly string[]): string[] {
  return paths.flatMap((path) => {
    if (path === "") return [eventPartition(event.name)];
    const key = indexKey(valueAt(event, path));
    const partition = key === undefined ? undefined : indexedPartition(event.name, { path, key });
    return partition === undefined ? [] : [partition];
  });
}

/** The ref the run record keeps (and timeouts carry) of a stored pause. */
export function refOf(pause: Pause): PauseRef {
  const { pauseId, partition, kind, stepId, name, eventName, signal, createdAt, expiresAt } = pause;
  return {
    pauseId,
    partition,
    kind,
    createdAt,
    expiresAt,
    ...(stepId !== undefined ? { stepId } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(eventName !== undefined ? { eventName } : {}),
    ...(signal !== undefined ? { signal } : {}),
  };
}

/** Canonical index key: "s:<string>", "n:<number>", "b:true|false"; undefined for anything else. */
export function indexKey(value: unknown): string | undefined {
  if (typeof value === "string") return `s:${value}`;
  if (typeof value === "number") return Number.isFinite(value) ? `n:${String(value)}` : undefined;
  if (typeof value === "boolean") return `b:${String(value)}`;
  return undefined;
}

/** The value at a dotted path in an object (undefined when absent), e.g. valueAt(evt, "data.id"). */
export function valueAt(obj: unknown, path: string): unknown {
  return valueAtSegments(obj, path.split("."));
}

/** Own properties through plain objects only, as the evaluator reads attributes (fillUnknowns). */
export function valueAtSegments(obj: unknown, segments: readonly string[]): unknown {
  let current = obj;
  for (const segment of segments) {
    if (!isJsonObject(current) || !Object.hasOwn(current, segment)) return undefined;
    current = current[segment];
  }
  return current;
}
