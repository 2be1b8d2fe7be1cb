/**
 * Canary samples from CSV files, as a monitoring export or a pipeline writes them. Two
 * shapes are read:
 * - long: a `metric` and a `value` column, one sample per row;
 * - wide: one column per metric, one row per interval (a `timestamp` or `time` column,
 *   if present, is only carried along).
 * Rows are samples in the order taken. An empty cell, `NaN` or `null` is a missing sample
 * (the metric's NaN rule applies); any other text that is not a number is refused with
 * its line and column.
 */
import { parse } from 'csv-parse/sync';
import type { CanarySamples } from '../domain/canary/series.js';
import { invalid } from '../domain/errors.js';

const MISSING = new Set(['', 'nan', 'null', 'na']);
const TIME_COLUMNS = new Set(['timestamp', 'time']);

function readNumber(text: string, where: string): number {
  const trimmed = text.trim();
  if (MISSING.has(trimmed.toLowerCase())) return Number.NaN;
  const value = Number(trimmed);
  if (!Number.isFinite(value)) throw invalid(where, `'${trimmed}' is not a number`, 'invalid-csv');
  return value;
}

export function parseCanaryCsv(text: string, name: string): CanarySamples {
  let rows: string[][];
  try {
    rows = parse(text, { skip_empty_lines: true, trim: true, relax_column_count: false });
  } catch (error) {
    throw invalid(name, `is not valid CSV: ${(error as Error).message}`, 'invalid-csv');
  }
  if (rows.length === 0) throw invalid(name, 'is empty: a header row is needed', 'invalid-csv');
  const header = rows[0]!.map((h) => h.trim());
  const lower = header.map((h) => h.toLowerCase());
  const samples: Record<string, number[]> = {};
  const metricAt = lower.indexOf('metric');
  const valueAt = lower.indexOf('value');
  if (metricAt >= 0 && valueAt >= 0) {
    rows.slice(1).forEach((row, i) => {
      const metric = row[metricAt]!.trim();
      if (!metric)
        throw invalid(`${name} line ${i + 2}`, 'the metric name is empty', 'invalid-csv');
      (samples[metric] ??= []).push(readNumber(row[valueAt]!, `${name} line ${i + 2}, value`));
    });
    return samples;
  }
  const metrics = header
    .map((h, column) => ({ h, column }))
    .filter(({ h }) => !TIME_COLUMNS.has(h.toLowerCase()));
  if (metrics.length === 0)
    throw invalid(
      name,
      'has no metric columns (expected metric,value or one column per metric)',
      'invalid-csv',
    );
  const seen = new Set<string>();
  for (const { h } of metrics) {
    if (!h) throw invalid(`${name} header`, 'a column has no name', 'invalid-csv');
    if (seen.has(h)) throw invalid(`${name} header`, `column ${h} appears twice`, 'invalid-csv');
    seen.add(h);
    samples[h] = [];
  }
  rows.slice(1).forEach((row, i) => {
    for (const { h, column } of metrics)
      samples[h]!.push(readNumber(row[column]!, `${name} line ${i + 2}, column ${h}`));
  });
  return samples;
}
