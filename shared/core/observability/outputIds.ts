/**
 * Output ids: where a span's output or error is stored, so it is kept once (in the run record,
 * the step result or the attempt record) and fetched on demand (`runTraceSpanOutputByID`).
 */
import { ValidationError } from "../../domain/errors.js";

export type OutputRef =
  /** The run's return value or final error. */
  | { kind: "run"; runId: string }
  /** A step's stored result (its data or its final error). */
  | { kind: "step"; runId: string; stepId: string }
  /** The error of a failed attempt, by the run version it ran at. */
  | { kind: "attempt"; runId: string; version: number };

export function outputId(ref: OutputRef): string {
  switch (ref.kind) {
    case "run":
      return `run:${ref.runId}`;
    case "step":
      return `step:${ref.runId}:${ref.stepId}`;
    case "attempt":
      return `attempt:${ref.runId}:${ref.version}`;
  }
}

export function parseOutputId(id: string): OutputRef {
  const [kind, runId, rest, ...extra] = id.split(":");
  const bad = (): never => {
    throw new ValidationError(`"${id}" is not an output id`);
  };
  if (!runId || extra.length > 0) return bad();
  if (kind === "run" && rest === undefined) return { kind, runId };
  if (kind === "step" && rest) return { kind, runId, stepId: rest };
  if (kind === "attempt" && rest && /^\d+$/.test(rest)) return { kind, runId, version: Number(rest) };
  return bad();
}
