import { ValidationError } from "./errors.js";

/** Most values of one listing filter (DynamoDB's IN takes 100 operands). */
export const LISTING_FILTER_MAX = 100;

/** Refuses filter lists longer than every store can take: the same 400 from memory and AWS. */
export function checkFilterLists(lists: Record<string, readonly string[] | undefined>): void {
  for (const [name, list] of Object.entries(lists)) {
    if (list && list.length > LISTING_FILTER_MAX) {
      throw new ValidationError(`at most ${LISTING_FILTER_MAX} ${name} per listing; got ${list.length}`);
    }
  }
}
