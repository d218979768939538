/**
 * Prepares the variables for one evaluation: every referenced path the data lacks is set to
 * {@link UNKNOWN}, copying only the objects along the way (the caller's event is never mutated).
 * The library rejects a missing key before any overload runs, and checks own keys, so the value
 * has to be really there (SEMANTICS 2.1).
 *
 * Mirrors Inngest's Data.Get: a path does not exist when a key is absent or when an intermediate
 * value is not a map. A null intermediate therefore turns unknown too; a string or list
 * intermediate is left alone (selecting a field of it stays an error, which is "no match").
 */

import type { PathTrie } from "./rewrite.js";
import { ROOT_VARIABLES } from "./rewrite.js";
import { UNKNOWN } from "./unknown.js";

type PlainObject = Record<string, unknown>;

export function prepareVariables(vars: Readonly<Record<string, unknown>>, paths: PathTrie): PlainObject {
  const out: PlainObject = {};
  for (const root of ROOT_VARIABLES) {
    const value = asEventLike(vars[root], root !== "vars");
    const trie = paths.get(root);
    out[root] = trie ? fill(value, trie) : value;
  }
  return out;
}

function isPlainObject(value: unknown): value is PlainObject {
  if (value === null || typeof value !== "object") return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Variables are declared as maps, so a missing root becomes `{}`. Like Inngest's Event.Map(),
 * an event without `data` or `user` gets empty maps for them.
 */
function asEventLike(value: unknown, isEvent: boolean): PlainObject {
  if (!isPlainObject(value)) return {};
  if (!isEvent || (isPlainObject(value.data) && isPlainObject(value.user))) return value;
  return {
    ...value,
    data: value.data === undefined || value.data === null ? {} : value.data,
    user: value.user === undefined || value.user === null ? {} : value.user,
  };
}

function fill(obj: PlainObject, trie: PathTrie): PlainObject {
  let copy: PlainObject | undefined;
  for (const [key, children] of trie) {
    const current = Object.hasOwn(obj, key) ? obj[key] : undefined;
    let next: unknown = current;
    if (current === undefined || (current === null && children.size > 0)) next = UNKNOWN;
    else if (children.size > 0 && isPlainObject(current)) next = fill(current, children);
    if (next !== current) {
      copy ??= { ...obj };
      // defineProperty, not assignment: a path such as `event.data.__proto__` must stay a plain key.
      Object.defineProperty(copy, key, { value: next, enumerable: true, writable: true, configurable: true });
    }
  }
  return copy ?? obj;
}
