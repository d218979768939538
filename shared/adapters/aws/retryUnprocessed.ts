/**
 * "Send a batch, then send again whatever the service reports it did not process": PutRecords,
 * SendMessageBatch, BatchWriteItem and BatchGetItem all answer that way. One helper keeps the
 * backoff and the give-up rule in one place.
 */
export interface RetryUnprocessedOptions {
  /** Sends (at most this many times in all) before giving up. */
  maxAttempts: number;
  /** Pause before the second send; doubles each time. */
  backoffMs: number;
  /** Names the operation in the error thrown when it gives up. */
  what: string;
  sleep?: (ms: number) => Promise<void>;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Calls `send` with `items`, then with what it returns as unprocessed, until nothing is left.
 * `send` may throw to stop at once (a fault that a resend cannot fix). Throws after
 * `maxAttempts` sends that still left items unprocessed; `describe` adds detail to that error.
 */
export async function retryUnprocessed<T>(
  items: T[],
  send: (batch: T[]) => Promise<T[]>,
  opts: RetryUnprocessedOptions & { describe?: (left: T[]) => string },
): Promise<void> {
  let pending = items;
  for (let attempt = 1; pending.length > 0; attempt++) {
    pending = await send(pending);
    if (pending.length === 0) return;
    if (attempt >= opts.maxAttempts) {
      const detail = opts.describe ? `: ${opts.describe(pending)}` : "";
      throw new Error(
        `${opts.what}: ${pending.length} item(s) still unprocessed after ${attempt} attempt(s)${detail}`,
      );
    }
    await (opts.sleep ?? pause)(opts.backoffMs * 2 ** (attempt - 1));
  }
}
