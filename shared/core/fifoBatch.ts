/**
 * Partial-failure processing of an SQS FIFO batch (Powertools' SqsFifoPartialProcessor with
 * skipGroupOnError): records of one message group run in order; when one fails, it and every later
 * record of its group are reported failed so order holds on retry, while other groups go on
 * (concurrently, as they are independent).
 */
export interface FifoRecord {
  messageId: string;
  groupId: string;
}

export async function processFifoBatch<R extends FifoRecord>(
  records: R[],
  process: (record: R) => Promise<void>,
  onError?: (record: R, error: unknown) => void,
): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> {
  const groups = new Map<string, R[]>();
  for (const r of records) groups.set(r.groupId, [...(groups.get(r.groupId) ?? []), r]);
  const failed = new Set<string>();
  await Promise.all(
    [...groups.values()].map(async (group) => {
      for (const [i, record] of group.entries()) {
        try {
          await process(record);
        } catch (err) {
          onError?.(record, err);
          for (const later of group.slice(i)) failed.add(later.messageId);
          return;
        }
      }
    }),
  );
  // Report in the batch's own order.
  return {
    batchItemFailures: records
      .filter((r) => failed.has(r.messageId))
      .map((r) => ({ itemIdentifier: r.messageId })),
  };
}
