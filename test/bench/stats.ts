/** The `p`th percentile (nearest rank) of ascending `sorted` values; NaN when there are none. */
export function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

const ms = (n: number | undefined) => (n !== undefined && Number.isFinite(n) ? n.toFixed(1) : "n/a");

/** p50, p99, min and max of latencies in ms, and their count. */
export function stats(values: number[]): string {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return "no samples";
  return `p50 ${ms(percentile(s, 50))} ms   p99 ${ms(percentile(s, 99))} ms   min ${ms(s[0])}   max ${ms(s.at(-1))}   (n=${s.length})`;
}
