/**
 * Real Sigstore bundles for tests, made the way Fulcio and Rekor make them but with keys
 * this file creates: a CA (self-signed root), a short-lived leaf certificate carrying a
 * workflow identity (URI SAN) and the Fulcio OIDC-issuer extensions, a DSSE envelope over
 * an in-toto statement naming the artifact's SHA-256, and a transparency-log entry with
 * its signed entry timestamp and a checkpoint-signed inclusion proof. The trusted root
 * names the CA and the log key, so `@sigstore/verify` checks every part for real.
 */
import { createHash, generateKeyPairSync, sign, webcrypto, type KeyObject } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const OID_ISSUER_V1 = '1.3.6.1.4.1.57264.1.1';
const OID_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';
const LOG_URL = 'https://transparency.test.invalid';
const LOG_ORIGIN = 'transparency.test.invalid - 1';

export interface TestCa {
  certificate: x509.X509Certificate;
  keys: CryptoKeyPair;
}

export interface TestLog {
  privateKey: KeyObject;
  publicKeyDer: Buffer;
  logId: Buffer;
}

export interface TestTrust {
  ca: TestCa;
  log: TestLog;
  /** The trusted root (Sigstore's `trusted_root.json` format) naming the CA and the log. */
  trustedRoot: Record<string, unknown>;
}

async function ecKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ECDSA, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

export async function createTestCa(name = 'Test Fulcio', validFrom?: Date): Promise<TestCa> {
  const keys = await ecKeys();
  const notBefore = validFrom ?? new Date(Date.UTC(2020, 0, 1));
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${name}, O=Gatehouse tests`,
    notBefore,
    notAfter: new Date(notBefore.getTime() + 20 * 365 * 86_400_000),
    keys,
    signingAlgorithm: ECDSA,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificate, keys };
}

export function createTestLog(): TestLog {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicKeyDer = publicKey.export({ type: 'spki', format: 'der' });
  return { privateKey, publicKeyDer, logId: createHash('sha256').update(publicKeyDer).digest() };
}

export async function createTestTrust(): Promise<TestTrust> {
  const ca = await createTestCa();
  const log = createTestLog();
  return { ca, log, trustedRoot: trustedRootFor(ca, log) };
}

export function trustedRootFor(ca: TestCa, log: TestLog): Record<string, unknown> {
  const start = ca.certificate.notBefore.toISOString();
  return {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: LOG_URL,
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: log.publicKeyDer.toString('base64'),
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          validFor: { start },
        },
        logId: { keyId: log.logId.toString('base64') },
      },
    ],
    certificateAuthorities: [
      {
        subject: { organization: 'Gatehouse tests', commonName: 'Test Fulcio' },
        uri: 'https://fulcio.test.invalid',
        certChain: {
          certificates: [{ rawBytes: Buffer.from(ca.certificate.rawData).toString('base64') }],
        },
        validFor: { start },
      },
    ],
    ctlogs: [],
    timestampAuthorities: [],
  };
}

function derUtf8String(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length > 0xffff) throw new Error('issuer too long for the test encoder');
  const length =
    bytes.length < 0x80
      ? Buffer.from([bytes.length])
      : bytes.length < 0x100
        ? Buffer.from([0x81, bytes.length])
        : Buffer.from([0x82, bytes.length >> 8, bytes.length & 0xff]);
  return Buffer.concat([Buffer.from([0x0c]), length, bytes]);
}

export interface BundleOptions {
  artifact: Uint8Array;
  artifactName?: string;
  /** The workflow identity in the certificate's URI SAN. */
  subjectAlternativeName: string;
  /** The OIDC issuer recorded in the Fulcio extensions. */
  issuer: string;
  /** The CA that issues the leaf; the trust's own CA unless another is given. */
  issuingCa?: TestCa;
  /** When the signature was made (the log's integrated time); the leaf lives 10 minutes around it. */
  signedAt?: Date;
}

/** A Sigstore bundle v0.3 (JSON) for an in-toto provenance statement about the artifact. */
export async function createBundle(
  trust: TestTrust,
  options: BundleOptions,
): Promise<Record<string, unknown>> {
  const ca = options.issuingCa ?? trust.ca;
  const signedAt = options.signedAt ?? new Date(Date.now() - 3_600_000);
  const leafKeys = await ecKeys();
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: createHash('sha256').update(String(Math.random())).digest('hex').slice(0, 16),
    subject: '',
    issuer: ca.certificate.subject,
    notBefore: new Date(signedAt.getTime() - 5 * 60_000),
    notAfter: new Date(signedAt.getTime() + 5 * 60_000),
    publicKey: leafKeys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: ECDSA,
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.3']),
      await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
      new x509.SubjectAlternativeNameExtension(
        [{ type: 'url', value: options.subjectAlternativeName }],
        true,
      ),
      new x509.Extension(OID_ISSUER_V1, false, Buffer.from(options.issuer, 'ascii')),
      new x509.Extension(OID_ISSUER_V2, false, derUtf8String(options.issuer)),
    ],
  });
  const leafDer = Buffer.from(leaf.rawData);
  const leafKey = await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey);

  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [
      {
        name: options.artifactName ?? 'artifact.tgz',
        digest: { sha256: createHash('sha256').update(options.artifact).digest('hex') },
      },
    ],
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {
      buildDefinition: { buildType: 'https://gatehouse.test/ci@v1', externalParameters: {} },
      runDetails: { builder: { id: options.subjectAlternativeName } },
    },
  };
  const payload = Buffer.from(JSON.stringify(statement), 'utf8');
  const payloadType = 'application/vnd.in-toto+json';
  const pae = Buffer.concat([
    Buffer.from(`DSSEv1 ${Buffer.byteLength(payloadType)} ${payloadType} ${payload.length} `),
    payload,
  ]);
  const signature = sign('sha256', pae, {
    key: Buffer.from(leafKey),
    format: 'der',
    type: 'pkcs8',
  });
  const envelope = {
    payload: payload.toString('base64'),
    payloadType,
    signatures: [{ sig: signature.toString('base64'), keyid: '' }],
  };

  const body = Buffer.from(
    JSON.stringify({
      apiVersion: '0.0.1',
      kind: 'dsse',
      spec: {
        envelopeHash: {
          algorithm: 'sha256',
          value: createHash('sha256').update(JSON.stringify(envelope)).digest('hex'),
        },
        payloadHash: {
          algorithm: 'sha256',
          value: createHash('sha256').update(payload).digest('hex'),
        },
        signatures: [
          {
            signature: signature.toString('base64'),
            verifier: Buffer.from(leaf.toString('pem')).toString('base64'),
          },
        ],
      },
    }),
    'utf8',
  );
  const integratedTime = Math.floor(signedAt.getTime() / 1000);
  const logIndex = 0;
  const setPayload = canonicalJson({
    body: body.toString('base64'),
    integratedTime,
    logIndex,
    logID: trust.log.logId.toString('hex'),
  });
  const signedEntryTimestamp = sign('sha256', Buffer.from(setPayload), trust.log.privateKey);
  // A log of one entry: the root is the entry's leaf hash and the proof has no hashes.
  const rootHash = createHash('sha256')
    .update(Buffer.concat([Buffer.from([0]), body]))
    .digest();
  const note = `${LOG_ORIGIN}\n1\n${rootHash.toString('base64')}\n`;
  const noteSignature = sign('sha256', Buffer.from(note), trust.log.privateKey);
  const checkpoint = `${note}\n\u2014 ${new URL(LOG_URL).host} ${Buffer.concat([trust.log.logId.subarray(0, 4), noteSignature]).toString('base64')}\n`;

  return {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: {
      certificate: { rawBytes: leafDer.toString('base64') },
      tlogEntries: [
        {
          logIndex: String(logIndex),
          logId: { keyId: trust.log.logId.toString('base64') },
          kindVersion: { kind: 'dsse', version: '0.0.1' },
          integratedTime: String(integratedTime),
          inclusionPromise: { signedEntryTimestamp: signedEntryTimestamp.toString('base64') },
          inclusionProof: {
            logIndex: String(logIndex),
            rootHash: rootHash.toString('base64'),
            treeSize: '1',
            hashes: [],
            checkpoint: { envelope: checkpoint },
          },
          canonicalizedBody: body.toString('base64'),
        },
      ],
    },
    dsseEnvelope: envelope,
  };
}

/** RFC 8785-style canonical JSON for the flat object the log signs. */
function canonicalJson(value: Record<string, string | number>): string {
  return `{${Object.keys(value)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(value[k])}`)
    .join(',')}}`;
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
