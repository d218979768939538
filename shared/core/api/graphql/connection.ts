/**
 * Relay-style cursors over the stores' page listings. A store's cursor only marks the end of one
 * of its pages, so an edge's cursor is a position: the store cursor its page started from and how
 * many items of that page come before and at it. The window's `until` is carried along, fixed at
 * the first page, so later pages list the same window (and new items do not shift positions).
 */
import * as z from "zod";
import { ValidationError } from "../../../domain/errors.js";
import { parseMessage } from "../../../domain/messages.js";
import type { PageRequest } from "../../../ports/index.js";

export interface Position {
  /** The store cursor the page started from (absent = the start of the listing). */
  c?: string;
  /** Items of that page at or before the position. */
  s: number;
  /** The window's end, epoch ms. */
  u: number;
}

const positionSchema = z.object({ c: z.string().optional(), s: z.number().int().min(0), u: z.number() });

/** Largest `first` served; clients page for more. */
export const MAX_PAGE = 1000;
/** Store pages read for one connection page at most (stores may return short pages). */
const MAX_ROUNDS = 50;

export function encodeCursor(p: Position): string {
  return Buffer.from(JSON.stringify(p)).toString("base64url");
}

export function decodeCursor(cursor: string): Position {
  const parsed = parseMessage(positionSchema, Buffer.from(cursor, "base64url").toString("utf8"));
  if (!parsed.ok) throw new ValidationError(`"${cursor}" is not a cursor of this listing`);
  const { c, s, u } = parsed.value;
  return { ...(c !== undefined ? { c } : {}), s, u };
}

export function checkFirst(first: number): number {
  if (first < 1 || first > MAX_PAGE) throw new ValidationError(`first must be between 1 and ${MAX_PAGE}`);
  return first;
}

export interface Collected<T> {
  edges: { item: T; cursor: string }[];
  /** Where the next page starts. */
  endCursor: string;
  hasNextPage: boolean;
}

/**
 * Up to `first` items from `start` on, skipping those `keep` refuses (filters a store cannot
 * express). `hasNextPage` may be true before an empty last page, as on Inngest.
 */
export async function collectPage<T>(
  list: (page: PageRequest) => Promise<{ items: T[]; cursor?: string }>,
  start: Position,
  first: number,
  keep: (item: T) => boolean = () => true,
): Promise<Collected<T>> {
  const edges: { item: T; cursor: string }[] = [];
  const at = (c: string | undefined, s: number): Position => ({
    ...(c !== undefined ? { c } : {}),
    s,
    u: start.u,
  });
  let c = start.c;
  let skip = start.s;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const page = await list({
      limit: skip + first - edges.length,
      ...(c !== undefined ? { cursor: c } : {}),
    });
    // i: how many items of this page lie at or before the last one examined.
    let i = skip;
    for (const item of page.items.slice(skip)) {
      if (edges.length >= first) break;
      i++;
      if (keep(item)) edges.push({ item, cursor: encodeCursor(at(c, i)) });
    }
    if (i < page.items.length) return { edges, endCursor: encodeCursor(at(c, i)), hasNextPage: true };
    if (page.cursor === undefined) return { edges, endCursor: encodeCursor(at(c, i)), hasNextPage: false };
    // The page is used up: its end is the store's next cursor, which keeps later cursors short.
    const next = encodeCursor(at(page.cursor, 0));
    const last = edges.at(-1);
    if (last && last.cursor === encodeCursor(at(c, i))) last.cursor = next;
    c = page.cursor;
    skip = 0;
    if (edges.length >= first) return { edges, endCursor: next, hasNextPage: true };
  }
  return { edges, endCursor: encodeCursor(at(c, skip)), hasNextPage: true };
}

/**
 * PageInfo of a collected page; `after` set means an earlier page exists. `endCursor` is where the
 * next page starts, past items `keep` refused after the last edge.
 */
export function pageInfo(page: Collected<unknown>, after: string | null | undefined) {
  return {
    hasNextPage: page.hasNextPage,
    hasPreviousPage: after !== undefined && after !== null,
    startCursor: page.edges[0]?.cursor ?? null,
    endCursor: page.edges.length > 0 || page.hasNextPage ? page.endCursor : null,
  };
}
