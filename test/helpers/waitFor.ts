export interface WaitForOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Says what was awaited in the timeout message. */
  what?: string;
}

/**
 * Polls `fn` until it returns a truthy value (which is returned) without throwing. On timeout it
 * throws, with the last error (or the last falsy value) as `cause`. Tests wait with this, never sleep.
 */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  opts: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value as NonNullable<T>;
      last = new Error(`condition returned ${String(value)}`);
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      throw new Error(`waitFor${opts.what ? ` (${opts.what})` : ""} timed out after ${timeoutMs} ms`, {
        cause: last,
      });
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
