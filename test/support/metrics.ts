/** Reading one series out of a `/metrics` answer (Prometheus text format). */

/** The value on the first line `line` matches, or undefined when no line does. */
export function metricValue(text: string, line: RegExp): number | undefined {
  for (const row of text.split('\n')) {
    const match = line.exec(row);
    if (match) return Number(row.slice(row.lastIndexOf(' ') + 1));
  }
  return undefined;
}
