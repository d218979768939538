import { deterministicUlid } from "../../domain/ids.js";
import type { AcceptedEvent } from "../../domain/schemas.js";

/** Run id: a ULID derived from (function, internal event id), so redelivered records map to the same run. */
export function runIdFor(fnSlug: string, accepted: AcceptedEvent): string {
  return deterministicUlid(accepted.receivedAt, `${fnSlug}\u0000${accepted.internalId}`);
}
