/**
 * A lookup remembered for one runner batch: the first call for a key starts the load, later calls
 * share its promise. A failed load is forgotten, so a retried record looks again.
 */
export function batchMemo<T>(load: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const known = new Map<string, Promise<T>>();
  return (key) => {
    let value = known.get(key);
    if (!value) {
      value = load(key);
      known.set(key, value);
      value.catch(() => known.delete(key));
    }
    return value;
  };
}
