/**
 * Real bundles (test/support/sigstore-bundles.ts) through `@sigstore/verify`: a good one
 * yields the signer's identity; every tampered one is refused with the part that failed.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  createBundle,
  createTestCa,
  createTestTrust,
  sha256Digest,
  type TestTrust,
} from '../../test/support/sigstore-bundles.js';
import { GatehouseError } from '../domain/errors.js';
import { sigstoreTrustFrom, verifyArtifactBundle, type SigstoreTrust } from './sigstore.js';

const WORKFLOW = 'https://github.com/acme/payments/.github/workflows/release.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';
const artifact = Buffer.from('payments-api 2.4.0 release tarball');

let trust: TestTrust;
let material: SigstoreTrust;

const bytes = (bundle: unknown) => Buffer.from(JSON.stringify(bundle));

function refusal(fn: () => unknown): GatehouseError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof GatehouseError, String(error));
    return error;
  }
  assert.fail('expected a refusal');
}

describe('Sigstore bundle verification', () => {
  before(async () => {
    trust = await createTestTrust();
    material = sigstoreTrustFrom(trust.trustedRoot);
  });

  test('a genuine bundle yields the artifact and the certificate identity', async () => {
    const bundle = await createBundle(trust, {
      artifact,
      artifactName: 'payments-api-2.4.0.tgz',
      subjectAlternativeName: WORKFLOW,
      issuer: ISSUER,
    });
    const facts = verifyArtifactBundle(bytes(bundle), material, sha256Digest(artifact));
    assert.equal(facts.kind, 'signature');
    assert.equal(facts.artifactDigest, sha256Digest(artifact));
    assert.equal(facts.artifactName, 'payments-api-2.4.0.tgz');
    assert.deepEqual(facts.identity, { subjectAlternativeName: WORKFLOW, issuer: ISSUER });
    assert.equal(facts.predicateType, 'https://slsa.dev/provenance/v1');
    assert.match(facts.signedAt ?? '', /^\d{4}-\d\d-\d\dT/);
  });

  test('another artifact than the one attested is refused, naming the artifact field', async () => {
    const bundle = await createBundle(trust, {
      artifact,
      subjectAlternativeName: WORKFLOW,
      issuer: ISSUER,
    });
    const error = refusal(() =>
      verifyArtifactBundle(bytes(bundle), material, sha256Digest(Buffer.from('something else'))),
    );
    assert.equal(error.code, 'signature-not-verified');
    assert.equal(error.field, '/querystring/artifact');
    assert.match(error.message, /the attestation names sha256:[0-9a-f]{64}, not sha256:/);
  });

  test('an altered signature is refused', async () => {
    const bundle = (await createBundle(trust, {
      artifact,
      subjectAlternativeName: WORKFLOW,
      issuer: ISSUER,
    })) as { dsseEnvelope: { signatures: Array<{ sig: string }> } };
    const sig = Buffer.from(bundle.dsseEnvelope.signatures[0]!.sig, 'base64');
    sig[sig.length - 1] = sig[sig.length - 1]! ^ 0x01;
    bundle.dsseEnvelope.signatures[0]!.sig = sig.toString('base64');
    const error = refusal(() =>
      verifyArtifactBundle(bytes(bundle), material, sha256Digest(artifact)),
    );
    assert.equal(error.code, 'signature-not-verified');
    assert.match(error.message, /the signature does not verify: .*signature mismatch/);
  });

  test('an altered statement (another digest swapped in) is refused', async () => {
    const other = Buffer.from('a tarball the workflow never built');
    const bundle = (await createBundle(trust, {
      artifact,
      subjectAlternativeName: WORKFLOW,
      issuer: ISSUER,
    })) as { dsseEnvelope: { payload: string } };
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString());
    statement.subject[0].digest.sha256 = sha256Digest(other).slice(7);
    bundle.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    const error = refusal(() => verifyArtifactBundle(bytes(bundle), material, sha256Digest(other)));
    assert.equal(error.code, 'signature-not-verified');
    assert.match(error.message, /the signature does not verify/);
  });

  test('a certificate from a CA outside the trusted root is refused', async () => {
    const rogue = await createTestCa('Rogue CA');
    const bundle = await createBundle(trust, {
      artifact,
      subjectAlternativeName: WORKFLOW,
      issuer: ISSUER,
      issuingCa: rogue,
    });
    const error = refusal(() =>
      verifyArtifactBundle(bytes(bundle), material, sha256Digest(artifact)),
    );
    assert.equal(error.code, 'signature-not-verified');
    assert.match(error.message, /Failed to verify certificate chain/);
  });

  test('a log entry signed by an untrusted log is refused', async () => {
    const stranger = await createTestTrust();
    const bundle = await createBundle(
      { ...stranger, ca: trust.ca },
      { artifact, subjectAlternativeName: WORKFLOW, issuer: ISSUER },
    );
    const error = refusal(() =>
      verifyArtifactBundle(bytes(bundle), material, sha256Digest(artifact)),
    );
    assert.equal(error.code, 'signature-not-verified');
    assert.match(error.message, /inclusion/);
  });

  test('a body that is not a bundle is bad input, not a verification failure', () => {
    for (const body of [
      'not json',
      '{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}',
    ]) {
      const error = refusal(() =>
        verifyArtifactBundle(Buffer.from(body), material, sha256Digest(artifact)),
      );
      assert.equal(error.kind, 'invalid');
      assert.equal(error.code, 'invalid-evidence');
      assert.equal(error.field, '/body');
    }
  });

  test('the artifact digest is required and checked for form', async () => {
    const bundle = await createBundle(trust, {
      artifact,
      subjectAlternativeName: WORKFLOW,
      issuer: ISSUER,
    });
    assert.equal(
      refusal(() => verifyArtifactBundle(bytes(bundle), material, undefined)).field,
      '/querystring/artifact',
    );
    assert.match(
      refusal(() => verifyArtifactBundle(bytes(bundle), material, 'md5:abc')).message,
      /must be sha256: followed by 64/,
    );
  });

  test('without a configured trusted root nothing is accepted', async () => {
    const bundle = await createBundle(trust, {
      artifact,
      subjectAlternativeName: WORKFLOW,
      issuer: ISSUER,
    });
    const error = refusal(() =>
      verifyArtifactBundle(bytes(bundle), undefined, sha256Digest(artifact)),
    );
    assert.equal(error.code, 'sigstore-not-configured');
  });
});
