/**
 * How run records map onto the runs table's attributes beyond their own fields: the `active`
 * index attributes (which keep Running runs findable by the recovery sweep) and the version-guarded
 * update expression of a transition.
 */
import { createHash } from "node:crypto";
import * as z from "zod";
import { parseMessage } from "../../domain/messages.js";
import { jobId, type RunRecord, type ScheduledJob } from "../../domain/schemas.js";
import type { RunTransition } from "../../ports/index.js";
import { RUN_INDEX_SHARDS } from "../../resources.js";
import type { Item } from "./dynamo.js";

/** The `active` index partition of a run: stable, spread evenly over the shards. */
export function activeShard(runId: string): string {
  const n = createHash("sha1").update(runId).digest().readUInt32BE(0) % RUN_INDEX_SHARDS;
  return `ACTIVE#${n}`;
}

/** When the earliest pending job fell or falls due; undefined when nothing is pending. */
export function nextDueAt(next: ScheduledJob[], updatedAt: number): number | undefined {
  if (next.length === 0) return undefined;
  return Math.min(...next.map((j) => j.dueAt ?? updatedAt));
}

/** When the latest pending job falls due; `updatedAt` when none falls due later. */
export function lastDueAt(next: readonly ScheduledJob[], updatedAt: number): number {
  return Math.max(updatedAt, ...next.map((j) => j.dueAt ?? updatedAt));
}

/**
 * The pending jobs' ids as a string set (`pendingIds`), so a checkpoint can check that its job
 * still runs inside its own conditional write; undefined when none (a set cannot be empty).
 */
export function pendingIdSet(next: ScheduledJob[]): Set<string> | undefined {
  return next.length ? new Set(next.map((j) => jobId(j.job))) : undefined;
}

/** Index attributes of a new run item (a run is created Running), and its pending job ids. */
export function activeAttributes(run: RunRecord): Item {
  if (run.status !== "Running") return {};
  const due = nextDueAt(run.next, run.updatedAt);
  const ids = pendingIdSet(run.next);
  return {
    activeShard: activeShard(run.runId),
    ...(due !== undefined ? { nextDueAt: due } : {}),
    ...(ids ? { pendingIds: ids } : {}),
    pendingTracked: true,
  };
}

/**
 * The pending jobs of a stored run: its `next`, less the jobs a settled step removed from
 * `pendingIds` since `next` was last written (completeStep deletes from the set without
 * rewriting the list). Items written before the set existed keep their whole `next`.
 */
export function pendingOf(item: Item, next: ScheduledJob[]): ScheduledJob[] {
  if (item.pendingTracked !== true) return next;
  const ids = item.pendingIds instanceof Set ? (item.pendingIds as Set<unknown>) : new Set<unknown>();
  return next.filter((j) => ids.has(jobId(j.job)));
}

/**
 * The UpdateItem parts of a transition: the fields to set (already encoded), the new version and
 * updatedAt, and the index attributes. A final status removes the run from the `active` index;
 * new pending jobs move its due time.
 */
export function transitionUpdate(
  encoded: Record<string, unknown>,
  t: RunTransition,
  expectVersion: number,
): {
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
} {
  const names: Record<string, string> = { "#version": "version", "#updatedAt": "updatedAt" };
  const values: Record<string, unknown> = {
    ":expect": expectVersion,
    ":next": expectVersion + 1,
    ":at": t.at,
  };
  const sets = ["#version = :next", "#updatedAt = :at"];
  const removes: string[] = [];
  for (const [field, value] of Object.entries(encoded)) {
    if (value === undefined) continue;
    names[`#${field}`] = field;
    values[`:f_${field}`] = value;
    sets.push(`#${field} = :f_${field}`);
  }
  if (t.set.status !== undefined && t.set.status !== "Running") {
    removes.push("activeShard", "nextDueAt", "pendingIds");
  } else if (t.set.next !== undefined) {
    const due = nextDueAt(t.set.next, t.at);
    if (due === undefined) removes.push("nextDueAt");
    else {
      values[":due"] = due;
      sets.push("nextDueAt = :due");
    }
    const ids = pendingIdSet(t.set.next);
    if (ids === undefined) removes.push("pendingIds");
    else {
      values[":pendingIds"] = ids;
      sets.push("pendingIds = :pendingIds");
    }
    values[":tracked"] = true;
    sets.push("pendingTracked = :tracked");
  }
  return {
    UpdateExpression: `SET ${sets.join(", ")}${removes.length ? ` REMOVE ${removes.join(", ")}` : ""}`,
    ConditionExpression: "#version = :expect",
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** Where a paged sweep goes on: the shard and the key inside it. */
export interface SweepCursor {
  shard: number;
  key?: Record<string, unknown>;
}

export function encodeCursor(cursor: SweepCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

const cursorSchema = z.object({
  shard: z.number().int().min(0),
  key: z.record(z.string(), z.unknown()).optional(),
});

export function decodeCursor(cursor: string | undefined): SweepCursor {
  if (!cursor) return { shard: 0 };
  const parsed = parseMessage(cursorSchema, Buffer.from(cursor, "base64url").toString("utf8"));
  if (!parsed.ok) throw new Error(`invalid sweep cursor: ${parsed.error}`);
  return parsed.value;
}
