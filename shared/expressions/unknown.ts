/**
 * Inngest's "unknown": the value of an attribute that the data does not have. cel-go marks such
 * attributes unknown through partial evaluation and a decorator turns every operation on them into
 * a fixed answer (SEMANTICS 2.1). We model it as one sentinel object of a registered CEL type
 * (`inngest.Unknown`) that the referenced-but-missing paths are filled with before evaluation.
 */

import { UnsignedInt } from "@marcbachmann/cel-js/evaluator";

export const UNKNOWN_TYPE = "inngest.Unknown";

/** The class the library dispatches overloads on; there is exactly one instance, {@link UNKNOWN}. */
export class Unknown {}

const target = new Unknown();

/**
 * Any field or index of an unknown is unknown too (`event.data.missing.deeper[0]`), as with
 * cel-go's attribute patterns. The library reads message fields with `obj[key]`, so a Proxy that
 * answers every unfamiliar string key with the sentinel itself is enough.
 */
export const UNKNOWN: Unknown = new Proxy(target, {
  get(t, key, receiver) {
    if (typeof key === "string" && !(key in t)) return UNKNOWN;
    return Reflect.get(t, key, receiver);
  },
});

export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}

/**
 * Inngest's JS-like truthiness for `&&`/`||` operands (isTruthy in cel-go's unknown.go): unknown,
 * errors, null, false, "", and numeric zero are falsy; everything else (lists and maps included,
 * even empty ones) is truthy.
 */
export function isTruthy(value: unknown): boolean {
  if (value === UNKNOWN || value === null || value === undefined || value instanceof Error) return false;
  switch (typeof value) {
    case "boolean":
      return value;
    case "string":
      return value !== "";
    case "number":
      return value !== 0;
    case "bigint":
      return value !== 0n;
    default:
      if (value instanceof UnsignedInt) return value.valueOf() !== 0n;
      return true;
  }
}
