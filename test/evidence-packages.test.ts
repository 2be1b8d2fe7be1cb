/**
 * Evidence packages over HTTP on a real port, on both engines: an auditor exports a
 * release's package and verifies it offline; the export is audited with the manifest's
 * digest; the control mapping is edited, versioned and refused when it names an unknown
 * control; and the database is altered behind Gatehouse's back (an approval row, an
 * evidence file's stored bytes, an audit entry with its triggers dropped, a deleted
 * entry), each of which the next package's verification must catch.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { strFromU8, unzipSync } from 'fflate';
import { sql } from 'kysely';
import { verifyEvidencePackage } from '../src/domain/evidence-package/verify.js';
import { engines } from './support/engines.js';
import { releaseBody, startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';

const REPORT = readFileSync(new URL('./fixtures/evidence/jest.junit.xml', import.meta.url));

for (const engine of await engines()) {
  describe(`evidence packages (${engine.name})`, { skip: engine.skip }, () => {
    let server: TestServer;
    const tokens: Record<string, string> = {};
    let release: string;
    let evidenceId: string;

    const exportPackage = async (key: string, who = 'audrey') => {
      const response = await fetch(`${server.url}/releases/${key}/evidence-package`, {
        headers: { authorization: `Bearer ${tokens[who] ?? server.adminToken}` },
      });
      const bytes = new Uint8Array(await response.arrayBuffer());
      return { response, bytes };
    };
    const db = () => server.running.app.store.db;

    before(async () => {
      server = await startTestServer(engine);
      assert.equal(
        (await server.call('POST', '/catalog/apply', { body: TEST_CATALOG })).status,
        200,
      );
      for (const [name, roles] of [
        ['rita', ['release-manager']],
        ['andy', ['deployer']],
        ['carla', ['approver', 'cab-member']],
        ['audrey', ['auditor']],
        ['vic', ['viewer']],
      ] as const) {
        assert.equal((await server.call('POST', '/users', { body: { name, roles } })).status, 201);
        tokens[name] = (
          await server.call('POST', '/tokens', { body: { name: 't', user: name } })
        ).body.token;
      }
      const created = await server.call('POST', '/releases', {
        body: releaseBody({ title: 'Payments <script>alert(1)</script> & co', authors: ['andy'] }),
        token: tokens.rita,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      release = created.body.key;
      const upload = await fetch(
        `${server.url}/releases/${release}/evidence?type=junit&name=unit.xml`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${tokens.andy}`, 'content-type': 'application/xml' },
          body: REPORT,
        },
      );
      assert.equal(upload.status, 201);
      evidenceId = ((await upload.json()) as { id: string }).id;
      for (const to of ['prepare', 'test', 'approve']) {
        const moved = await server.call('POST', `/releases/${release}/transitions`, {
          body: { to, reason: 'as planned' },
          token: tokens.rita,
        });
        assert.equal(moved.status, 200, JSON.stringify(moved.body));
      }
      const status = await server.call('GET', `/releases/${release}/approvals`);
      const stage = status.body.stages[0].stage as string;
      const approved = await server.call('POST', `/releases/${release}/approvals`, {
        body: { stage, comment: 'tested in staging' },
        token: tokens.carla,
      });
      assert.equal(approved.status, 201, JSON.stringify(approved.body));
    });
    after(async () => server?.close());

    test('an auditor exports a package that verifies offline and is recorded in the audit log', async () => {
      const { response, bytes } = await exportPackage(release);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'application/zip');
      const digest = response.headers.get('x-gatehouse-manifest-sha256')!;
      const verdict = verifyEvidencePackage(bytes, digest);
      assert.deepEqual(verdict.problems, []);
      assert.equal(verdict.release, release);

      const files = unzipSync(bytes);
      const approvals = JSON.parse(strFromU8(files['records/approvals.json']!));
      assert.equal(approvals.length, 1);
      assert.equal(approvals[0].by, 'carla');
      assert.equal(approvals[0].text, 'tested in staging');
      const evidence = JSON.parse(strFromU8(files['records/evidence.json']!));
      assert.deepEqual(Buffer.from(files[evidence[0].path]!), REPORT);
      const policy = JSON.parse(strFromU8(files['records/policy-version.json']!));
      assert.equal(typeof policy.version, 'number');
      const verdicts = JSON.parse(strFromU8(files['records/gate-verdicts.json']!));
      assert.ok(verdicts.every((v: any) => v.policySet.version === policy.version));
      const entries = JSON.parse(strFromU8(files['audit/entries.json']!));
      assert.ok(entries.some((e: any) => e.action === 'approval.given'));

      const controls = JSON.parse(strFromU8(files['controls.json']!));
      const soc2 = controls.controls.find((c: any) => c.control === 'SOC2-CC8.1');
      assert.ok(soc2.satisfiedBy.some((s: any) => s.record === 'approvals' && s.count === 1));
      assert.ok(soc2.missing.includes('deployments'));

      const page = strFromU8(files['index.html']!);
      assert.ok(!page.includes('<script>alert(1)</script>'));
      assert.ok(page.includes('Payments &lt;script&gt;alert(1)&lt;/script&gt; &amp; co'));
      assert.ok(page.includes('SOC2-CC8.1'));

      const audit = await server.call(
        'GET',
        `/audit?subjectType=release&subjectId=${release}&limit=50`,
      );
      const exported = audit.body.items.find((e: any) => e.action === 'evidence-package.exported');
      assert.equal(exported.actor, 'audrey');
      assert.equal(exported.after.manifestSha256, digest);
    });

    test('bad input: unknown release 404, a viewer 403, nothing exported', async () => {
      const unknown = await exportPackage('REL-99999');
      assert.equal(unknown.response.status, 404);
      assert.match(JSON.parse(strFromU8(unknown.bytes)).detail, /REL-99999/);
      const viewer = await exportPackage(release, 'vic');
      assert.equal(viewer.response.status, 403);
    });

    test('the control mapping is edited by an admin, versioned, audited, and refuses unknown names', async () => {
      const initial = await server.call('GET', '/controls/mapping', { token: tokens.audrey });
      assert.equal(initial.body.version, 0);
      const unknown = await server.call('PUT', '/controls/mapping', {
        body: { controls: [{ control: 'PCI-DSS-6.4', records: ['approvals'] }] },
      });
      assert.equal(unknown.status, 400);
      assert.match(JSON.stringify(unknown.body), /PCI-DSS-6\.4/);
      const badRecord = await server.call('PUT', '/controls/mapping', {
        body: { controls: [{ control: 'SOC2-CC8.1', records: ['tickets'] }] },
      });
      assert.equal(badRecord.status, 400);
      assert.match(JSON.stringify(badRecord.body), /tickets/);
      const notAdmin = await server.call('PUT', '/controls/mapping', {
        body: { controls: [{ control: 'SOC2-CC8.1', records: ['approvals'] }] },
        token: tokens.rita,
      });
      assert.equal(notAdmin.status, 403);
      assert.equal((await server.call('GET', '/controls/mapping')).body.version, 0);

      const saved = await server.call('PUT', '/controls/mapping', {
        body: { controls: [{ control: 'SOC2-CC8.1', records: ['approvals', 'test-evidence'] }] },
      });
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
      assert.equal(saved.body.version, 1);
      const audit = await server.call('GET', '/audit?subjectType=control-mapping&limit=5');
      assert.equal(audit.body.items[0].action, 'control-mapping.saved');

      const { bytes } = await exportPackage(release);
      const controls = JSON.parse(strFromU8(unzipSync(bytes)['controls.json']!));
      assert.equal(controls.mappingVersion, 1);
      assert.deepEqual(
        controls.controls.map((c: any) => [c.control, c.satisfied]),
        [['SOC2-CC8.1', true]],
      );
    });

    test('an approval row altered in the database is caught by the next package', async () => {
      await db()
        .updateTable('approvals')
        .set({ text: 'approved without testing' })
        .where('release_id', '=', await releaseId())
        .execute();
      const { response, bytes } = await exportPackage(release);
      const verdict = verifyEvidencePackage(
        bytes,
        response.headers.get('x-gatehouse-manifest-sha256')!,
      );
      assert.equal(verdict.intact, false);
      assert.ok(
        verdict.problems.some(
          (p) =>
            p.file === 'records/approvals.json' &&
            /text is 'approved without testing'/.test(p.problem),
        ),
        JSON.stringify(verdict.problems),
      );
      await db()
        .updateTable('approvals')
        .set({ text: 'tested in staging' })
        .where('release_id', '=', await releaseId())
        .execute();
    });

    test("an evidence file's stored bytes altered in the database are caught naming the file", async () => {
      const forged = Buffer.from(
        REPORT.toString('utf8').replace(/failures="\d+"/, 'failures="0"') + ' ',
      );
      await db()
        .updateTable('evidence')
        .set({ content: forged })
        .where('id', '=', evidenceId)
        .execute();
      const { bytes } = await exportPackage(release);
      const verdict = verifyEvidencePackage(bytes);
      assert.equal(verdict.intact, false);
      assert.ok(
        verdict.problems.some(
          (p) =>
            p.file.startsWith(`evidence/${evidenceId}/`) && /recorded with SHA-256/.test(p.problem),
        ),
        JSON.stringify(verdict.problems),
      );
      await db()
        .updateTable('evidence')
        .set({ content: REPORT })
        .where('id', '=', evidenceId)
        .execute();
      assert.equal(verifyEvidencePackage((await exportPackage(release)).bytes).intact, true);
    });

    test('an audit entry rewritten, or one deleted, with the append-only triggers bypassed, is caught', async () => {
      const entry = await db()
        .selectFrom('audit_log')
        .select(['seq', 'after'])
        .where('action', '=', 'approval.given')
        .where('subject_id', '=', release)
        .executeTakeFirstOrThrow();
      await withoutAuditTriggers(async () => {
        await db()
          .updateTable('audit_log')
          .set({ after: entry.after!.replace('carla', 'mallory') })
          .where('seq', '=', entry.seq)
          .execute();
      });
      const altered = verifyEvidencePackage((await exportPackage(release)).bytes);
      assert.ok(
        altered.problems.some(
          (p) =>
            p.file === 'audit/entries.json' &&
            p.problem.startsWith(`entry ${entry.seq} was altered`),
        ),
        JSON.stringify(altered.problems),
      );
      await withoutAuditTriggers(async () => {
        await db()
          .updateTable('audit_log')
          .set({ after: entry.after })
          .where('seq', '=', entry.seq)
          .execute();
        // Remove an entry between the release's first entry and the head.
        await db()
          .deleteFrom('audit_log')
          .where('seq', '=', Number(entry.seq) - 1)
          .execute();
      });
      const gap = verifyEvidencePackage((await exportPackage(release)).bytes);
      assert.equal(gap.intact, false);
      assert.ok(
        gap.problems.some((p) => p.file === 'audit/chain.json'),
        JSON.stringify(gap.problems),
      );
    });

    async function releaseId(): Promise<string> {
      const row = await db()
        .selectFrom('releases')
        .select('id')
        .where('key', '=', release)
        .executeTakeFirstOrThrow();
      return row.id;
    }

    /** What someone with the database's owner account could do: lift the append-only guard. */
    async function withoutAuditTriggers(change: () => Promise<void>): Promise<void> {
      if (engine.name === 'postgres') {
        await sql`alter table audit_log disable trigger user`.execute(db());
        try {
          await change();
        } finally {
          await sql`alter table audit_log enable trigger user`.execute(db());
        }
        return;
      }
      const triggers = await sql<{ name: string; sql: string }>`
        select name, sql from sqlite_master where type = 'trigger' and tbl_name = 'audit_log'`.execute(
        db(),
      );
      for (const t of triggers.rows) await sql.raw(`drop trigger ${t.name}`).execute(db());
      try {
        await change();
      } finally {
        for (const t of triggers.rows) await sql.raw(t.sql).execute(db());
      }
    }
  });
}
