/**
 * `gatehouse evidence export|verify` and `gatehouse controls` as processes: export writes
 * the zip whole and prints the manifest digest; verify runs with no server (the server is
 * stopped first) and exits 0 intact, 1 altered naming the file, 2 for a file that is not
 * a zip or cannot be read; an unknown release leaves no file behind.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { unzipSync } from 'fflate';
import { pack } from '../src/domain/evidence-package/package.js';
import { type Scratch } from './support/engines.js';
import { runCli, startCliWorld, type ServerProcess, adminCall } from './support/process.js';
import { releaseBody, TEST_CATALOG } from './support/server.js';

describe('gatehouse evidence export and verify', () => {
  let dir: string;
  let scratch: Scratch;
  let server: ServerProcess | undefined;
  let env: Record<string, string>;
  let release: string;
  let zip: string;
  let digest: string;

  const api = (method: string, path: string, body?: unknown) => adminCall(env, method, path, body);
  const cli = (...args: string[]) => runCli(args, env);

  before(async () => {
    ({ dir, scratch, server, env } = await startCliWorld('gatehouse-evidence-package-cli-'));
    await api('POST', '/catalog/apply', TEST_CATALOG);
    release = (await api('POST', '/releases', releaseBody())).key;
    const report = join(dir, 'unit.xml');
    writeFileSync(
      report,
      '<testsuite name="unit" tests="1" failures="0"><testcase name="a"/></testsuite>\n',
    );
    const added = await cli('evidence', 'add', release, report, '--type', 'junit');
    assert.equal(added.code, 0, added.stderr);
    zip = join(dir, `${release}.zip`);
  });
  after(async () => {
    await server?.stop();
    await scratch.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('export writes the package and prints the digest the audit log records', async () => {
    const exported = await cli('evidence', 'export', release, '-o', zip);
    assert.equal(exported.code, 0, exported.stderr);
    digest = /manifest sha256 ([0-9a-f]{64})/.exec(exported.stdout)![1]!;
    const audit = await api('GET', `/audit?subjectType=release&subjectId=${release}&limit=5`);
    assert.equal(audit.items[0].action, 'evidence-package.exported');
    assert.equal(audit.items[0].after.manifestSha256, digest);
    assert.ok(Object.keys(unzipSync(readFileSync(zip))).includes('index.html'));
  });

  test('an unknown release: exit 2 naming it, and no file left behind', async () => {
    const target = join(dir, 'unknown.zip');
    const refused = await cli('evidence', 'export', 'REL-4040', '-o', target);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /REL-4040/);
    assert.equal(existsSync(target), false);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith('.part')),
      [],
    );
  });

  test('controls: list, show, and set refusing an unknown control with exit 2', async () => {
    const shown = await cli('controls', 'show');
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /version 0 \(shipped default\)/);
    assert.match(shown.stdout, /ISO27001-A\.8\.32/);
    const file = join(dir, 'mapping.yaml');
    writeFileSync(file, 'controls:\n  - control: NIST-CM-3\n    records: [approvals]\n');
    const refused = await cli('controls', 'set', '-f', file);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /NIST-CM-3/);
    writeFileSync(file, 'controls:\n  - control: HIPAA-164.312(b)\n    records: [audit-trail]\n');
    const saved = await cli('controls', 'set', '-f', file);
    assert.equal(saved.code, 0, saved.stderr);
    assert.match(saved.stdout, /version 1 saved/);
  });

  test('verify works offline: intact 0, any altered file 1 naming it, not a zip 2', async () => {
    await server!.stop();
    server = undefined;
    const intact = await cli('evidence', 'verify', zip, '--manifest-sha256', digest);
    assert.equal(intact.code, 0, intact.stdout + intact.stderr);
    assert.match(intact.stdout, /intact/);

    const wrongDigest = await cli('evidence', 'verify', zip, '--manifest-sha256', 'a'.repeat(64));
    assert.equal(wrongDigest.code, 1);
    assert.match(wrongDigest.stdout, /manifest\.json/);

    const files = unzipSync(readFileSync(zip));
    const evidencePath = Object.keys(files).find((p) => p.startsWith('evidence/'))!;
    for (const path of ['records/release.json', evidencePath, 'audit/entries.json', 'index.html']) {
      const altered = Object.entries(files).map(([p, bytes]): [string, Uint8Array] => {
        if (p !== path) return [p, bytes];
        const copy = bytes.slice();
        copy[10] = copy[10]! ^ 0x04;
        return [p, copy];
      });
      const target = join(dir, 'altered.zip');
      writeFileSync(target, pack(altered));
      const verdict = await cli('evidence', 'verify', target);
      assert.equal(verdict.code, 1, `${path}: ${verdict.stdout}`);
      assert.ok(verdict.stdout.includes(`  ${path}: altered`), verdict.stdout);
    }

    const bytes = readFileSync(zip);
    const flipped = Buffer.from(bytes);
    flipped[Math.floor(bytes.length / 2)]! ^= 0x01;
    writeFileSync(join(dir, 'flipped.zip'), flipped);
    assert.equal((await cli('evidence', 'verify', join(dir, 'flipped.zip'))).code, 1);

    writeFileSync(join(dir, 'truncated.zip'), bytes.subarray(0, bytes.length - 100));
    const truncated = await cli('evidence', 'verify', join(dir, 'truncated.zip'));
    assert.equal(truncated.code, 1);
    assert.match(truncated.stdout, /\(archive\)/);

    writeFileSync(join(dir, 'notes.zip'), 'these are not the files you are looking for\n');
    const notZip = await cli('evidence', 'verify', join(dir, 'notes.zip'));
    assert.equal(notZip.code, 2);
    assert.match(notZip.stderr, /not an evidence package: not a zip archive/);

    const missing = await cli('evidence', 'verify', join(dir, 'absent.zip'));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*absent\.zip: ENOENT/);
  });
});
