import { expect } from "vitest";

/**
 * Every item of a paged listing, following cursors to the end: each page holds at most `limit`
 * items, the last page has no cursor, and no item (by `id`) comes twice.
 */
export async function allPages<T>(
  page: (cursor: string | undefined) => Promise<{ items: T[]; cursor?: string }>,
  limit: number,
  id: (item: T) => string,
): Promise<T[]> {
  const seen: T[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const got = await page(cursor);
    expect(got.items.length).toBeLessThanOrEqual(limit);
    seen.push(...got.items);
    cursor = got.cursor;
    if (!cursor) break;
  }
  expect(cursor).toBeUndefined();
  const ids = seen.map(id);
  expect(ids.length).toBe(new Set(ids).size);
  return seen;
}
