/**
 * Where pauses live and how they are found. A pause on an event name is stored in the partition
 * of that name, or, when its condition pins a value (`async.data.id == "o_1"`), in the partition
 * of that name, path and value: an incoming event then reads only the partitions its own values
 * select, however many runs wait on the name. Signals have a partition each.
 */
import { isJsonObject } from "./json.js";
import type { Pause, PauseRef } from "./schemas.js";

/** Index values longer than this stay unindexed (DynamoDB partition keys are at most 2 KiB). */
export const INDEX_KEY_MAX_CHARS = 512;

export function eventPartition(eventName: string, index?: { path: string; key: string }): string {
  return index ? `EVT#${eventName}#${index.path}#${index.key}` : `EVT#${eventName}`;
}

export function signalPartition(signal: string): string {
  return `SIG#${signal}`;
}

/** The partitions an event reads, given its name's indexed paths ("" = the unindexed one). */
export function partitionsFor(event: { name: string; data: unknown }, paths: readonly string[]): string[] {
  return paths.flatMap((path) => {
    if (path === "") return [eventPartition(event.name)];
    const key = indexKey(valueAt(event, path));
    return key === undefined ? [] : [eventPartition(event.name, { path, key })];
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
