import * as z from "zod";

/** A partial batch response as Lambda's event-source mappings read it. */
const batchResponseSchema = z.object({
  // Lambda reads a null or missing list as complete success.
  batchItemFailures: z.array(z.object({ itemIdentifier: z.string() })).nullish(),
});

/**
 * The failed item ids a handler reported. No response means every record succeeded; a response
 * Lambda cannot read is a failure of the whole batch (undefined), as on AWS.
 */
export function reportedFailures(result: unknown): string[] | undefined {
  if (result === undefined || result === null) return [];
  const parsed = batchResponseSchema.safeParse(result);
  if (!parsed.success) return undefined;
  return (parsed.data.batchItemFailures ?? []).map((f) => f.itemIdentifier);
}
