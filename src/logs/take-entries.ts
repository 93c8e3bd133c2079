/**
 * Moves up to `budget` entries of `from` into a new map, oldest (first inserted) first: how a
 * commit takes its share of the pending counts when a flood left more than one transaction's worth.
 */
export function takeEntries<V>(from: Map<string, V>, budget: number): Map<string, V> {
  if (from.size <= budget) {
    const all = new Map(from);
    from.clear();
    return all;
  }
  const out = new Map<string, V>();
  for (const [k, v] of from) {
    if (out.size >= budget) break;
    out.set(k, v);
    from.delete(k);
  }
  return out;
}
