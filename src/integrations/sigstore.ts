/**
 * Sigstore provenance: a bundle (v0.1–v0.3 JSON) holding a DSSE envelope over an in-toto
 * statement is verified offline with `@sigstore/verify` against the trusted root the
 * server was configured with: the leaf certificate chains to a trusted CA at the time
 * the transparency log recorded the signature, the log entry's inclusion (promise and
 * proof) is signed by a trusted log key and matches the envelope, and the envelope's
 * signature is the leaf key's. Then the statement must name the artifact's digest.
 * The signer's identity (certificate SAN and OIDC issuer) comes back as facts; which
 * identities are allowed is the policy's business (the `artifact-signature` rule).
 */
import { bundleFromJSON, isBundleWithDsseEnvelope, type Bundle } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier, type TrustMaterial } from '@sigstore/verify';
import { GatehouseError, invalid } from '../domain/errors.js';
import type { SignatureFacts } from '../domain/evidence.js';

export type SigstoreTrust = TrustMaterial;

/** Reads a `trusted_root.json` document; a malformed one is refused at start-up. */
export function sigstoreTrustFrom(document: unknown): SigstoreTrust {
  try {
    return toTrustMaterial(TrustedRoot.fromJSON(document));
  } catch (error) {
    throw new Error(`the Sigstore trusted root cannot be read: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const IN_TOTO = 'application/vnd.in-toto+json';

function refused(reason: string, field = '/body'): GatehouseError {
  return new GatehouseError('invalid', 'signature-not-verified', `${field}: ${reason}`, {
    field,
  });
}

function parseBundle(content: Uint8Array): Bundle {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(content).toString('utf8'));
  } catch {
    throw invalid('/body', 'is not JSON: send the Sigstore bundle file', 'invalid-evidence');
  }
  try {
    return bundleFromJSON(json);
  } catch (error) {
    throw invalid(
      '/body',
      `is not a Sigstore bundle: ${(error as Error).message}`,
      'invalid-evidence',
    );
  }
}

interface Statement {
  subject?: Array<{ name?: unknown; digest?: Record<string, unknown> }>;
  predicateType?: unknown;
}

/**
 * Verifies the bundle for the artifact with the given `sha256:<hex>` digest and returns
 * who signed it. Every failure is a refusal naming the part that did not hold.
 */
export function verifyArtifactBundle(
  content: Uint8Array,
  trust: SigstoreTrust | undefined,
  artifactDigest: string | undefined,
): SignatureFacts {
  if (!trust)
    throw new GatehouseError(
      'conflict',
      'sigstore-not-configured',
      'this server has no Sigstore trusted root: start it with --sigstore-trusted-root FILE',
    );
  if (!artifactDigest)
    throw invalid('/querystring/artifact', 'is required for sigstore evidence (sha256:<hex>)');
  if (!DIGEST.test(artifactDigest))
    throw invalid('/querystring/artifact', 'must be sha256: followed by 64 lowercase hex digits');
  const bundle = parseBundle(content);
  if (!isBundleWithDsseEnvelope(bundle))
    throw invalid(
      '/body',
      'holds a message signature; send a bundle with a DSSE in-toto attestation for the artifact',
      'invalid-evidence',
    );
  if (bundle.content.dsseEnvelope.payloadType !== IN_TOTO)
    throw invalid(
      '/body',
      `holds a ${bundle.content.dsseEnvelope.payloadType} envelope; an in-toto statement is expected`,
      'invalid-evidence',
    );

  let signer;
  try {
    const verifier = new Verifier(trust, {
      // Offline: the log's inclusion and its integrated time stand for the timestamp;
      // SCTs are checked only when the trusted root names a CT log.
      tlogThreshold: 1,
      timestampThreshold: 1,
      ctlogThreshold: trust.ctlogs.length > 0 ? 1 : 0,
    });
    signer = verifier.verify(toSignedEntity(bundle));
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    throw refused(
      `the signature does not verify: ${(error as Error).message}${cause ? ` (${cause})` : ''}`,
    );
  }

  let statement: Statement;
  try {
    statement = JSON.parse(bundle.content.dsseEnvelope.payload.toString('utf8')) as Statement;
  } catch {
    throw refused('the signed payload is not an in-toto statement');
  }
  const hex = artifactDigest.slice('sha256:'.length);
  const subjects = Array.isArray(statement.subject) ? statement.subject : [];
  const named = subjects.find((s) => s.digest?.sha256 === hex);
  if (!named)
    throw refused(
      `the attestation names ${subjects.map((s) => `sha256:${String(s.digest?.sha256)}`).join(', ') || 'no artifact'}, not ${artifactDigest}`,
      '/querystring/artifact',
    );
  const entry = bundle.verificationMaterial.tlogEntries[0];
  return {
    kind: 'signature',
    artifactDigest,
    artifactName: typeof named.name === 'string' ? named.name : null,
    predicateType: typeof statement.predicateType === 'string' ? statement.predicateType : null,
    identity: {
      subjectAlternativeName: signer.identity?.subjectAlternativeName ?? null,
      issuer: signer.identity?.extensions?.issuer ?? null,
    },
    signedAt: entry ? new Date(Number(entry.integratedTime) * 1000).toISOString() : null,
  };
}
