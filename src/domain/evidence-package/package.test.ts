/**
 * A small package built from a real chain of audit entries, altered one byte at a time:
 * every byte of the archive and bytes of every file inside (re-packed canonically, so the
 * only thing wrong is the file) must be caught, the latter naming the file.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { strToU8, unzipSync } from 'fflate';
import { GENESIS_HASH, hashEntry, type AuditEntry } from '../audit-chain.js';
import type { GatehouseError } from '../errors.js';
import { controlCoverage, DEFAULT_CONTROL_MAPPING, validateControlMapping } from './controls.js';
import { escapeHtml, renderIndexPage } from './index-page.js';
import {
  buildEvidencePackage,
  pack,
  PACKAGE_FORMAT,
  sha256,
  UnreadablePackage,
} from './package.js';
import { PATHS, verifyEvidencePackage } from './verify.js';

function chainOf(contents: Array<{ action: string; after: unknown }>): AuditEntry[] {
  const entries: AuditEntry[] = [];
  let prev = GENESIS_HASH;
  contents.forEach((c, i) => {
    const content = {
      seq: i + 1,
      at: `2026-03-0${i + 1}T10:00:00.000Z`,
      actor: 'carla',
      action: c.action,
      subjectType: 'release',
      subjectId: 'REL-1',
      before: null,
      after: JSON.stringify(c.after),
    };
    const hash = hashEntry(content, prev);
    entries.push({ ...content, prevHash: prev, hash });
    prev = hash;
  });
  return entries;
}

function samplePackage(tweak: (files: Map<string, unknown>) => void = () => {}) {
  const report = strToU8('<testsuite tests="3" failures="0"></testsuite>\n');
  const evidence = {
    id: 'e1',
    type: 'junit',
    fileName: 'unit.xml',
    sha256: sha256(report),
    size: report.length,
    uploadedBy: 'dave',
    uploadedAt: '2026-03-01T10:00:00.000Z',
    path: 'evidence/e1/unit.xml',
  };
  const approval = {
    id: 'a1',
    stage: 'tech-lead',
    decision: 'approved',
    by: 'carla',
    text: 'looks right',
    contentHash: 'c'.repeat(64),
    at: '2026-03-02T10:00:00.000Z',
  };
  const entries = chainOf([
    { action: 'evidence.added', after: { id: 'e1', sha256: evidence.sha256, size: evidence.size } },
    {
      action: 'approval.given',
      after: {
        id: 'a1',
        stage: 'tech-lead',
        decision: 'approved',
        by: 'carla',
        text: 'looks right',
        contentHash: 'c'.repeat(64),
      },
    },
  ]);
  const chain = entries.map((e) => ({ seq: e.seq, hash: e.hash, prevHash: e.prevHash }));
  const records = new Map<string, unknown>([
    [PATHS.approvals, [approval]],
    [PATHS.cabDecisions, []],
    [PATHS.evidence, [evidence]],
    [PATHS.entries, entries],
    [PATHS.chain, chain],
  ]);
  tweak(records);
  return buildEvidencePackage(
    {
      format: PACKAGE_FORMAT,
      release: { id: 'r1', key: 'REL-1' },
      exportedAt: '2026-03-03T10:00:00.000Z',
      exportedBy: 'audrey',
      audit: { entries: entries.length, chainFrom: 1, headSeq: 2, headHash: entries[1]!.hash },
    },
    [
      ['index.html', strToU8('<!doctype html><p>REL-1</p>\n')],
      ...[...records].map(([path, value]): [string, Uint8Array] => [
        path,
        strToU8(JSON.stringify(value)),
      ]),
      [evidence.path, report],
    ],
  );
}

describe('evidence package verification', () => {
  test('an untouched package is intact, and only with its own manifest digest', () => {
    const built = samplePackage();
    const verdict = verifyEvidencePackage(built.archive, built.manifestSha256);
    assert.deepEqual(verdict.problems, []);
    assert.equal(verdict.intact, true);
    assert.equal(verdict.release, 'REL-1');
    const other = verifyEvidencePackage(built.archive, 'f'.repeat(64));
    assert.equal(other.intact, false);
    assert.equal(other.problems[0]!.file, 'manifest.json');
  });

  test('the packing is deterministic: the same files give the same bytes', () => {
    assert.equal(sha256(samplePackage().archive), sha256(samplePackage().archive));
  });

  test('every single altered byte of the archive is caught', () => {
    const { archive } = samplePackage();
    let caught = 0;
    for (let i = 0; i < archive.length; i++) {
      const altered = archive.slice();
      altered[i] = altered[i]! ^ 0x01;
      try {
        if (!verifyEvidencePackage(altered).intact) caught += 1;
      } catch (error) {
        assert.ok(error instanceof UnreadablePackage, `byte ${i}: ${String(error)}`);
        caught += 1;
      }
    }
    assert.equal(caught, archive.length);
  });

  test('an altered byte in any file inside is caught naming that file', () => {
    const { archive } = samplePackage();
    const files = unzipSync(archive);
    for (const path of Object.keys(files)) {
      for (const at of [0, Math.floor(files[path]!.length / 2), files[path]!.length - 1]) {
        const changed = Object.entries(files).map(([p, bytes]): [string, Uint8Array] => {
          if (p !== path) return [p, bytes];
          const copy = bytes.slice();
          copy[at] = copy[at]! ^ 0x20;
          return [p, copy];
        });
        const verdict = verifyEvidencePackage(pack(changed));
        assert.equal(verdict.intact, false, `${path}@${at}`);
        const named = verdict.problems.map((p) => p.file);
        const expected = path === 'manifest.sha256' ? 'manifest.json' : path;
        assert.ok(named.includes(expected), `${path}@${at}: ${JSON.stringify(verdict.problems)}`);
      }
    }
  });

  test('records that disagree with their audit entries are caught, even in a self-consistent package', () => {
    const forged = samplePackage((records) => {
      const approvals = records.get(PATHS.approvals) as Array<Record<string, unknown>>;
      approvals[0]!.by = 'mallory';
    });
    const verdict = verifyEvidencePackage(forged.archive, forged.manifestSha256);
    assert.equal(verdict.intact, false);
    assert.match(
      verdict.problems[0]!.problem,
      /approval a1: by is 'mallory' but audit entry 2 recorded 'carla'/,
    );

    const rewritten = samplePackage((records) => {
      const entries = records.get(PATHS.entries) as AuditEntry[];
      entries[0]!.actor = 'mallory';
    });
    const chainVerdict = verifyEvidencePackage(rewritten.archive);
    assert.ok(
      chainVerdict.problems.some(
        (p) => p.file === PATHS.entries && /entry 1 was altered/.test(p.problem),
      ),
    );
  });

  test('not a zip, and a truncated zip, are told apart from an intact one', () => {
    assert.throws(() => verifyEvidencePackage(strToU8('hello')), UnreadablePackage);
    const { archive } = samplePackage();
    const truncated = verifyEvidencePackage(archive.slice(0, archive.length - 30));
    assert.equal(truncated.intact, false);
    assert.equal(truncated.problems[0]!.file, '(archive)');
  });
});

describe('control mapping', () => {
  test('the default maps every control to known record types', () => {
    assert.doesNotThrow(() => validateControlMapping(DEFAULT_CONTROL_MAPPING));
  });

  test('an unknown control or record type is refused naming it and where', () => {
    assert.throws(
      () => validateControlMapping({ controls: [{ control: 'PCI-6.4', records: ['release'] }] }),
      (e: GatehouseError) =>
        e.problems[0]!.field === '/controls/0/control' &&
        /'PCI-6.4' is not a known control/.test(e.problems[0]!.reason),
    );
    assert.throws(
      () =>
        validateControlMapping({
          controls: [{ control: 'SOC2-CC8.1', records: ['release', 'tickets'] }],
        }),
      (e: GatehouseError) =>
        e.problems[0]!.field === '/controls/0/records/1' && /'tickets'/.test(e.problems[0]!.reason),
    );
  });

  test('coverage lists, control by control, what satisfies it and what is missing', () => {
    const coverage = controlCoverage(
      { controls: [{ control: 'SOC2-CC8.1', records: ['approvals', 'test-evidence'] }] },
      {
        approvals: { count: 2, files: [PATHS.approvals] },
        'test-evidence': { count: 0, files: [] },
      },
    );
    assert.deepEqual(coverage[0]!.satisfiedBy, [
      { record: 'approvals', count: 2, files: [PATHS.approvals] },
    ]);
    assert.deepEqual(coverage[0]!.missing, ['test-evidence']);
    assert.equal(coverage[0]!.satisfied, false);
  });

  test('the index page escapes what it shows', () => {
    assert.equal(
      escapeHtml(`<script>alert("x")</script>&'`),
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;',
    );
  });

  test('the rendered page escapes nested values and loads nothing from outside', () => {
    const page = renderIndexPage({
      header: {
        format: PACKAGE_FORMAT,
        release: { id: 'r1', key: 'REL-1' },
        exportedAt: '2026-03-03T10:00:00.000Z',
        exportedBy: 'audrey',
        audit: { entries: 0, chainFrom: 0, headSeq: 0, headHash: '0'.repeat(64) },
      },
      title: '"><img src=x onerror=alert(1)>',
      sections: [
        {
          title: 'Gate verdicts',
          file: 'records/gate-verdicts.json',
          columns: ['rules'],
          rows: [{ rules: [{ rule: 'tests', reason: '<script>steal()</script>' }] }],
        },
      ],
      coverage: controlCoverage(DEFAULT_CONTROL_MAPPING, {}),
      files: [],
    });
    assert.ok(!/<img|<script|<a |<link|<iframe/i.test(page), page);
    assert.ok(page.includes('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;'));
    assert.ok(page.includes('reason: &lt;script&gt;steal()&lt;/script&gt;'));
    assert.ok(page.includes("default-src 'none'"));
  });
});
