/** Printing for people (aligned columns) and for machines (`--json`). */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function printTable(
  rows: Array<Record<string, string | number | null | undefined>>,
  columns: string[],
): void {
  if (rows.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  const cell = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  process.stdout.write(line(columns.map((c) => c.toUpperCase())) + '\n');
  for (const row of rows) process.stdout.write(line(columns.map((c) => cell(row[c]))) + '\n');
}

export function printLines(lines: string[]): void {
  process.stdout.write(lines.join('\n') + '\n');
}
