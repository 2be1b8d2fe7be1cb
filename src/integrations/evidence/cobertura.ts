/**
 * Cobertura XML coverage (coverage.py, Istanbul's cobertura reporter, JaCoCo converters,
 * gcovr). The root carries the totals (`lines-valid`, `lines-covered`, `branches-valid`,
 * `branches-covered`); older writers give only rates, so then the `<line>` elements of
 * each class are counted (a method's lines repeat its class's, so those are skipped).
 */
import type { CoverageFacts } from '../../domain/evidence.js';
import { ratio } from '../../domain/evidence.js';
import { invalidEvidence, type EvidenceSource } from './source.js';
import { streamXml } from './xml.js';

function count(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw invalidEvidence(`<coverage ${name}="${value}"> must be a whole number`);
  return n;
}

export async function parseCobertura(source: EvidenceSource): Promise<CoverageFacts> {
  let declared: { lines: [number, number]; branches: [number, number] } | null = null;
  const counted = { linesCovered: 0, lines: 0, branchesCovered: 0, branches: 0 };
  const files = new Set<string>();
  let inMethod = 0;
  await streamXml(source, {
    open(tag, depth) {
      const attrs = tag.attributes as Record<string, string>;
      if (depth === 1) {
        if (tag.name !== 'coverage')
          throw invalidEvidence(
            `expected a Cobertura report (<coverage> root), found <${tag.name}>`,
          );
        const linesValid = count(attrs['lines-valid'], 'lines-valid');
        const linesCovered = count(attrs['lines-covered'], 'lines-covered');
        if (linesValid !== undefined && linesCovered !== undefined) {
          if (linesCovered > linesValid)
            throw invalidEvidence('lines-covered is greater than lines-valid');
          const branchesValid = count(attrs['branches-valid'], 'branches-valid') ?? 0;
          const branchesCovered = count(attrs['branches-covered'], 'branches-covered') ?? 0;
          if (branchesCovered > branchesValid)
            throw invalidEvidence('branches-covered is greater than branches-valid');
          declared = {
            lines: [linesCovered, linesValid],
            branches: [branchesCovered, branchesValid],
          };
        } else if (attrs['line-rate'] === undefined)
          throw invalidEvidence('<coverage> has neither lines-valid nor line-rate: not Cobertura');
        return;
      }
      if (tag.name === 'class' && attrs.filename) files.add(attrs.filename);
      else if (tag.name === 'method') inMethod++;
      else if (tag.name === 'line' && !inMethod && !declared) {
        counted.lines++;
        if (Number(attrs.hits) > 0) counted.linesCovered++;
        // condition-coverage="50% (1/2)"
        const match = /\((\d+)\/(\d+)\)/.exec(attrs['condition-coverage'] ?? '');
        if (attrs.branch === 'true' && match) {
          counted.branchesCovered += Number(match[1]);
          counted.branches += Number(match[2]);
        }
      }
    },
    close(name) {
      if (name === 'method') inMethod--;
    },
  });
  const d = declared as { lines: [number, number]; branches: [number, number] } | null;
  return {
    kind: 'coverage',
    lines: d ? ratio(...d.lines) : ratio(counted.linesCovered, counted.lines),
    branches: d ? ratio(...d.branches) : ratio(counted.branchesCovered, counted.branches),
    files: files.size,
  };
}
