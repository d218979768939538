/**
 * Intervals [start, end) running at once: the peak, and how long each level lasted (ms). Ends
 * come before starts at the same instant, so touching intervals do not overlap.
 */
export function sweep(intervals: Array<[number, number]>): { peak: number; msAt: Map<number, number> } {
  const edges: Array<[number, number]> = [];
  for (const [a, b] of intervals) edges.push([a, 1], [b, -1]);
  edges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let level = 0;
  let peak = 0;
  const msAt = new Map<number, number>();
  let last = edges[0]?.[0] ?? 0;
  for (const [t, d] of edges) {
    if (level > 0) {
      msAt.set(level, (msAt.get(level) ?? 0) + (t - last));
    }
    last = t;
    level += d;
    peak = Math.max(peak, level);
  }
  return { peak, msAt };
}
