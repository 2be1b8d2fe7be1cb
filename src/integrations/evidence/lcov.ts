/**
 * lcov tracefiles (`geninfo`, Istanbul, c8, node --test's lcov reporter): one record per
 * source file, `SF:` to `end_of_record`. Totals come from each record's LF/LH and
 * BRF/BRH lines, or are counted from DA/BRDA where a writer leaves those out.
 */
import { ratio, type CoverageFacts } from '../../domain/evidence.js';
import { invalidEvidence, textChunks, type EvidenceSource } from './source.js';

const KNOWN = new Set([
  'TN',
  'SF',
  'VER',
  'FN',
  'FNL',
  'FNA',
  'FNDA',
  'FNF',
  'FNH',
  'DA',
  'BRDA',
  'BRF',
  'BRH',
  'LF',
  'LH',
]);

interface Record {
  lf?: number;
  lh?: number;
  brf?: number;
  brh?: number;
  da: number;
  daHit: number;
  brda: number;
  brdaHit: number;
}

export async function parseLcov(source: EvidenceSource): Promise<CoverageFacts> {
  const totals = { lf: 0, lh: 0, brf: 0, brh: 0 };
  let files = 0;
  let record: Record | null = null;
  let lineNo = 0;
  let pending = '';

  const number = (value: string, field: string): number => {
    const n = Number(value);
    if (value === '' || !Number.isInteger(n) || n < 0)
      throw invalidEvidence(`line ${lineNo}: ${field} must be a whole number, not '${value}'`);
    return n;
  };
  const handle = (raw: string) => {
    lineNo++;
    const line = raw.trim();
    if (!line) return;
    if (line === 'end_of_record') {
      if (!record) throw invalidEvidence(`line ${lineNo}: end_of_record without SF:`);
      const lf = record.lf ?? record.da;
      const lh = record.lh ?? record.daHit;
      const brf = record.brf ?? record.brda;
      const brh = record.brh ?? record.brdaHit;
      if (lh > lf || brh > brf)
        throw invalidEvidence(`line ${lineNo}: a record covers more than it has`);
      totals.lf += lf;
      totals.lh += lh;
      totals.brf += brf;
      totals.brh += brh;
      files++;
      record = null;
      return;
    }
    const colon = line.indexOf(':');
    const tag = colon > 0 ? line.slice(0, colon) : '';
    if (!KNOWN.has(tag))
      throw invalidEvidence(`line ${lineNo} is not lcov: '${line.slice(0, 60)}'`);
    const value = line.slice(colon + 1);
    if (tag === 'SF') {
      if (record) throw invalidEvidence(`line ${lineNo}: SF: before the previous end_of_record`);
      record = { da: 0, daHit: 0, brda: 0, brdaHit: 0 };
      return;
    }
    if (tag === 'TN' || tag === 'VER') return;
    if (!record) throw invalidEvidence(`line ${lineNo}: ${tag}: outside a SF: record`);
    if (tag === 'DA') {
      const [, hits] = value.split(',');
      record.da++;
      if (number(hits ?? '', 'DA hits') > 0) record.daHit++;
    } else if (tag === 'BRDA') {
      const taken = value.split(',')[3] ?? '';
      record.brda++;
      if (taken !== '-' && number(taken, 'BRDA taken') > 0) record.brdaHit++;
    } else if (tag === 'LF') record.lf = number(value, 'LF');
    else if (tag === 'LH') record.lh = number(value, 'LH');
    else if (tag === 'BRF') record.brf = number(value, 'BRF');
    else if (tag === 'BRH') record.brh = number(value, 'BRH');
  };

  for await (const chunk of textChunks(source)) {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    if (pending.length > 1024 * 1024)
      throw invalidEvidence(`line ${lineNo + 1} is longer than 1 MiB`);
    for (const line of lines) handle(line);
  }
  if (pending) handle(pending);
  if (record) throw invalidEvidence('the last record has no end_of_record: the file is truncated');
  if (files === 0) throw invalidEvidence('no SF: … end_of_record record: not an lcov tracefile');
  return {
    kind: 'coverage',
    lines: ratio(totals.lh, totals.lf),
    branches: ratio(totals.brh, totals.brf),
    files,
  };
}
