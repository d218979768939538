/** A sleep that ends early when the signal aborts (pollers stop without waiting out their idle). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** A pause that `wake()` (or the signal) cuts short: an idle poller waiting for a reason to look. */
export function wakeablePause(ms: number, signal: AbortSignal): { pause(): Promise<void>; wake(): void } {
  let wake: () => void = () => {};
  return {
    pause: () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          wake = () => {};
          resolve();
        }
        wake = done;
        signal.addEventListener("abort", done, { once: true });
      }),
    wake: () => wake(),
  };
}
