/**
 * Sigstore provenance end to end, on both engines: a server configured with a test
 * trusted root, real bundles uploaded as evidence over HTTP (and by the CLI process), and
 * the `artifact-signature` gate rule judging who signed. Tampered bundles are refused
 * with the reason and nothing is stored.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { engines } from './support/engines.js';
import { runCli } from './support/process.js';
import { releaseBody, startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';
import {
  createBundle,
  createTestCa,
  createTestTrust,
  sha256Digest,
  type TestTrust,
} from './support/sigstore-bundles.js';

const WORKFLOW = 'https://github.com/acme/payments/.github/workflows/release.yml@refs/heads/main';
const OTHER_WORKFLOW =
  'https://github.com/acme/payments/.github/workflows/debug.yml@refs/heads/dev';
const ISSUER = 'https://token.actions.githubusercontent.com';
const OTHER_ISSUER = 'https://gitlab.example.com';

const POLICY_SET = {
  apiVersion: 'gatehouse/v1',
  kind: 'PolicySet',
  name: 'signed-artifacts',
  policies: [
    {
      name: 'signed',
      match: {},
      requires: {
        signature: { identities: [{ subjectAlternativeName: WORKFLOW, issuer: ISSUER }] },
      },
    },
  ],
};

const trust: TestTrust = await createTestTrust();
const scratchDir = mkdtempSync(join(tmpdir(), 'gatehouse-sigstore-'));
const trustedRootFile = join(scratchDir, 'trusted_root.json');
writeFileSync(trustedRootFile, JSON.stringify(trust.trustedRoot));
after(() => rmSync(scratchDir, { recursive: true, force: true }));

for (const engine of await engines()) {
  describe(`sigstore provenance (${engine.name})`, { skip: engine.skip }, () => {
    let server: TestServer;
    const artifact = Buffer.from(`payments-api 2.4.0 built on ${engine.name}`);

    const upload = (release: string, body: unknown, digest?: string, name = 'provenance') =>
      fetch(
        `${server.url}/releases/${release}/evidence?type=sigstore&name=${name}${digest ? `&artifact=${digest}` : ''}`,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${server.adminToken}`,
            'content-type': 'application/json',
          },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        },
      ).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    const signatureRule = async (release: string) => {
      const response = await server.call('GET', `/releases/${release}/gates/sit`);
      assert.equal(response.status, 200, JSON.stringify(response.body));
      return response.body.rules.find((r: any) => r.rule === 'artifact-signature');
    };
    const evidenceCount = async (release: string) =>
      (await server.call('GET', `/releases/${release}/evidence`)).body.length;
    const newRelease = async () =>
      (await server.call('POST', '/releases', { body: releaseBody() })).body.key as string;

    before(async () => {
      server = await startTestServer(engine, { sigstoreTrustedRoot: trustedRootFile });
      assert.equal(
        (await server.call('POST', '/catalog/apply', { body: TEST_CATALOG })).status,
        200,
      );
      const applied = await server.call('POST', '/policies', { body: POLICY_SET });
      assert.equal(applied.status, 200, JSON.stringify(applied.body));
    });
    after(async () => server?.close());

    test('without a bundle the rule fails and says how to upload one', async () => {
      const key = await newRelease();
      const rule = await signatureRule(key);
      assert.equal(rule.result, 'fail');
      assert.match(rule.reason, /gatehouse evidence add .* --type sigstore --artifact sha256:HEX/);
    });

    test('a bundle signed by the allowed workflow is stored, audited and passes the gate', async () => {
      const key = await newRelease();
      const bundle = await createBundle(trust, {
        artifact,
        subjectAlternativeName: WORKFLOW,
        issuer: ISSUER,
      });
      const stored = await upload(key, bundle, sha256Digest(artifact));
      assert.equal(stored.status, 201, JSON.stringify(stored.body));
      assert.equal(stored.body.type, 'sigstore');
      assert.deepEqual(stored.body.facts.identity, {
        subjectAlternativeName: WORKFLOW,
        issuer: ISSUER,
      });
      const rule = await signatureRule(key);
      assert.equal(rule.result, 'pass', rule.reason);
      assert.ok(rule.reason.includes(`${sha256Digest(artifact)} signed by ${WORKFLOW}`));
      const audit = await server.call('GET', `/audit?subjectType=release&subjectId=${key}`);
      const entries = audit.body.items ?? audit.body;
      assert.ok(entries.some((e: any) => e.action === 'evidence.added'));
    });

    test('a genuine bundle from another workflow, or the right SAN from another issuer, fails the rule', async () => {
      for (const [san, issuer] of [
        [OTHER_WORKFLOW, ISSUER],
        [WORKFLOW, OTHER_ISSUER],
      ] as const) {
        const key = await newRelease();
        const bundle = await createBundle(trust, { artifact, subjectAlternativeName: san, issuer });
        assert.equal((await upload(key, bundle, sha256Digest(artifact))).status, 201);
        const rule = await signatureRule(key);
        assert.equal(rule.result, 'fail');
        assert.ok(
          rule.reason.includes(`signed by ${san} (issuer ${issuer}): not an allowed identity`),
          rule.reason,
        );
      }
    });

    test('tampered bundles are refused with the reason, and nothing is stored', async () => {
      const key = await newRelease();
      const good = await createBundle(trust, {
        artifact,
        subjectAlternativeName: WORKFLOW,
        issuer: ISSUER,
      });
      const alteredSignature = structuredClone(good) as any;
      const sig = Buffer.from(alteredSignature.dsseEnvelope.signatures[0].sig, 'base64');
      sig[10] = sig[10]! ^ 0xff;
      alteredSignature.dsseEnvelope.signatures[0].sig = sig.toString('base64');
      const untrusted = await createBundle(trust, {
        artifact,
        subjectAlternativeName: WORKFLOW,
        issuer: ISSUER,
        issuingCa: await createTestCa('Rogue CA'),
      });
      const cases = [
        {
          body: good,
          digest: sha256Digest(Buffer.from('an altered artifact')),
          field: '/querystring/artifact',
          reason: /the attestation names sha256:[0-9a-f]{64}, not sha256:/,
        },
        {
          body: alteredSignature,
          digest: sha256Digest(artifact),
          field: '/body',
          reason: /the signature does not verify/,
        },
        {
          body: untrusted,
          digest: sha256Digest(artifact),
          field: '/body',
          reason: /certificate chain/,
        },
      ];
      for (const c of cases) {
        const response = await upload(key, c.body, c.digest);
        assert.equal(response.status, 400, JSON.stringify(response.body));
        assert.equal(response.body.code, 'signature-not-verified');
        assert.equal(response.body.errors[0].field, c.field);
        assert.match(response.body.detail, c.reason);
      }
      assert.equal(await evidenceCount(key), 0);
    });

    test('a body that is not a bundle, or no artifact digest, is 400 naming the field', async () => {
      const key = await newRelease();
      for (const [body, digest, field] of [
        ['{not json', sha256Digest(artifact), '/body'],
        [
          { mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json' },
          sha256Digest(artifact),
          '/body',
        ],
        [
          await createBundle(trust, { artifact, subjectAlternativeName: WORKFLOW, issuer: ISSUER }),
          undefined,
          '/querystring/artifact',
        ],
        [{}, 'sha1:abc', '/querystring/artifact'],
      ] as const) {
        const response = await upload(key, body, digest);
        assert.equal(response.status, 400, JSON.stringify(response.body));
        assert.equal(response.body.errors[0].field, field);
      }
      assert.equal(await evidenceCount(key), 0);
    });

    test('the CLI uploads a bundle with --artifact and prints who signed it', async () => {
      const key = await newRelease();
      const file = join(scratchDir, `${engine.name}.sigstore.json`);
      writeFileSync(
        file,
        JSON.stringify(
          await createBundle(trust, { artifact, subjectAlternativeName: WORKFLOW, issuer: ISSUER }),
        ),
      );
      const env = { GATEHOUSE_URL: server.url, GATEHOUSE_TOKEN: server.adminToken };
      const ok = await runCli(
        ['evidence', 'add', key, file, '--type', 'sigstore', '--artifact', sha256Digest(artifact)],
        env,
      );
      assert.equal(ok.code, 0, ok.stderr);
      assert.ok(ok.stdout.includes(`signed by ${WORKFLOW} (issuer ${ISSUER})`), ok.stdout);
      const wrong = await runCli(
        [
          'evidence',
          'add',
          key,
          file,
          '--type',
          'sigstore',
          '--artifact',
          sha256Digest(Buffer.from('x')),
        ],
        env,
      );
      assert.equal(wrong.code, 2, wrong.stdout);
      assert.match(wrong.stderr, /artifact/);
    });
  });
}
