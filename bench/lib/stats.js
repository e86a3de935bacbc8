/** Small statistics over plain number arrays; every helper copies before sorting. */

/** The median of `values` (the mean of the two middle values for an even count). */
export function median(values) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The smallest and largest of `values`. */
export function range(values) {
  return { min: Math.min(...values), max: Math.max(...values) };
}

/** `candidate[i] / baseline[i]` for each pair measured together. */
export function pairwiseRatios(candidate, baseline) {
  return candidate.map((value, i) => value / baseline[i]);
}

/** Bytes as a short human string (`1.5 MB`), 1 MB = 1,000,000 B as heap tools report it. */
export function formatBytes(bytes) {
  const abs = Math.abs(bytes);
  if (abs >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (abs >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (abs >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${Math.round(bytes)} B`;
}

/** An integer with thousands separators, as the README writes counts. */
export function formatCount(count) {
  return Math.round(count).toLocaleString('en-US');
}
