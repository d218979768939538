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

/**
 * A pause that `wake()` (or the signal) cuts short: an idle poller waiting for a reason to look.
 * A wake that comes while no pause is running is kept for the next pause, which then returns at
 * once: a message sent while the poller's receive was already under way (and came back empty) is
 * still looked for without waiting out the pause. Wakes do not add up: one pending wake at most.
 */
export function wakeablePause(ms: number, signal: AbortSignal): { pause(): Promise<void>; wake(): void } {
  let cut: (() => void) | undefined;
  let pending = false;
  return {
    pause: () =>
      new Promise<void>((resolve) => {
        if (pending || signal.aborted) {
          pending = false;
          resolve();
          return;
        }
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          cut = undefined;
          resolve();
        }
        cut = done;
        signal.addEventListener("abort", done, { once: true });
      }),
    wake: () => {
      if (cut) cut();
      else pending = true;
    },
  };
}
