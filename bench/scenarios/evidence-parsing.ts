/**
 * Parse time and peak memory of generated large reports: JUnit with 5,000 and 50,000
 * tests, SARIF with 5,000 and 50,000 findings. The pairs show whether memory grows with
 * the file (it should not: the parsers stream).
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PARSE = fileURLToPath(new URL('../parse-evidence.ts', import.meta.url));

async function write(path: string, parts: Iterable<string>): Promise<void> {
  const out = createWriteStream(path);
  for (const part of parts)
    if (!out.write(part)) await new Promise<void>((r) => out.once('drain', () => r()));
  await new Promise<void>((resolve, reject) =>
    out.end((e?: Error | null) => (e ? reject(e) : resolve())),
  );
}

function* junit(tests: number): Generator<string> {
  yield `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites tests="${tests}">\n`;
  const perSuite = 100;
  for (let s = 0; s < tests / perSuite; s++) {
    yield `  <testsuite name="com.example.Suite${s}" tests="${perSuite}">\n`;
    for (let t = 0; t < perSuite; t++) {
      const n = s * perSuite + t;
      if (n % 97 === 0)
        yield `    <testcase classname="com.example.Suite${s}" name="case${t}" time="0.01"><failure message="expected 2 but was 3" type="AssertionError">at com.example.Suite${s}.case${t}(Suite${s}.java:${t})\n${'  at frame\n'.repeat(20)}</failure></testcase>\n`;
      else yield `    <testcase classname="com.example.Suite${s}" name="case${t}" time="0.001"/>\n`;
    }
    yield '  </testsuite>\n';
  }
  yield '</testsuites>\n';
}

function* sarif(findings: number): Generator<string> {
  const rules = 200;
  yield '{"version":"2.1.0","$schema":"https://json.schemastore.org/sarif-2.1.0.json","runs":[{"tool":{"driver":{"name":"Semgrep","rules":[';
  for (let r = 0; r < rules; r++)
    yield `${r ? ',' : ''}{"id":"rule-${r}","shortDescription":{"text":"Rule ${r}"},"defaultConfiguration":{"level":"warning"},"properties":{"security-severity":"${(r % 10) + 0.5}"}}`;
  yield ']}},"results":[';
  for (let i = 0; i < findings; i++)
    yield `${i ? ',' : ''}{"ruleId":"rule-${i % rules}","level":"warning","message":{"text":"Finding ${i}: user input reaches a sink without validation"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"src/module${i % 500}/file${i}.ts"},"region":{"startLine":${(i % 400) + 1},"startColumn":5}}}]}`;
  yield ']}]}\n';
}

export interface ParseFigure {
  file: string;
  bytes: number;
  ms: number;
  maxRssMiB: number;
  peakHeapMiB: number;
}

export async function evidenceParsing(log: (line: string) => void): Promise<ParseFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-evidence-'));
  const figures: ParseFigure[] = [];
  try {
    const cases: Array<[string, string, Iterable<string>]> = [
      ['junit', 'junit-5000.xml', junit(5_000)],
      ['junit', 'junit-50000.xml', junit(50_000)],
      ['sarif', 'sarif-5000.json', sarif(5_000)],
      ['sarif', 'sarif-50000.json', sarif(50_000)],
    ];
    for (const [type, name, content] of cases) {
      const path = join(dir, name);
      await write(path, content);
      const run = spawnSync(process.execPath, ['--import', 'tsx', PARSE, type, path], {
        encoding: 'utf8',
      });
      if (run.status !== 0) throw new Error(`parsing ${name} failed: ${run.stderr}`);
      const result = JSON.parse(run.stdout) as ParseFigure;
      const figure = { ...result, file: name, bytes: statSync(path).size };
      figures.push(figure);
      log(
        `${name.padEnd(18)} ${(figure.bytes / 2 ** 20).toFixed(1).padStart(6)} MiB   parse ${figure.ms.toFixed(0).padStart(5)} ms   peak heap ${figure.peakHeapMiB.toFixed(1).padStart(5)} MiB   max RSS ${figure.maxRssMiB.toFixed(0).padStart(4)} MiB`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
