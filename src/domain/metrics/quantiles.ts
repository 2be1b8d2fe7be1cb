/**
 * Quantiles of many values without sorting them: the summary needs a median and a p90 of
 * up to a million values per request, and sorting was most of its time (ADR 2800-1).
 * The figures are simple-statistics' `quantileSorted` (type 7, linear interpolation
 * between the two nearest order statistics) over the sorted values, found by selection.
 */

/**
 * Moves the `k`-th smallest value of `values[left..right]` to position `k`, smaller or
 * equal ones before it, greater or equal ones after (Hoare's selection, median-of-three
 * pivot; expected linear time).
 */
function select(values: Float64Array, k: number, left: number, right: number): void {
  while (right > left) {
    const a = values[left]!;
    const b = values[left + ((right - left) >> 1)]!;
    const c = values[right]!;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = left;
    let j = right;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const swap = values[i]!;
        values[i] = values[j]!;
        values[j] = swap;
        i++;
        j--;
      }
    }
    // [left, j] ≤ pivot ≤ [i, right]; anything between j and i equals the pivot.
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
}

/**
 * The quantiles `ps` (each in [0, 1], ascending) of `values`, which it reorders; nulls
 * if there are no values.
 */
export function quantilesInPlace(
  values: Float64Array,
  ps: readonly number[],
): Array<number | null> {
  const n = values.length;
  if (n === 0) return ps.map(() => null);
  const results: number[] = [];
  // Order statistics below `from` are all placed already: each later one lies above it.
  let from = 0;
  for (const p of ps) {
    const index = (n - 1) * p;
    const lower = Math.floor(index);
    select(values, lower, from, n - 1);
    from = lower;
    if (index === lower) {
      results.push(values[lower]!);
      continue;
    }
    // The next order statistic is the least of those above `lower`.
    let upper = values[lower + 1]!;
    for (let i = lower + 2; i < n; i++) if (values[i]! < upper) upper = values[i]!;
    results.push(values[lower]! + (index - lower) * (upper - values[lower]!));
  }
  return results;
}
