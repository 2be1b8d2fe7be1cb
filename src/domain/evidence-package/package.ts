/**
 * An evidence package is a zip an auditor reads without Gatehouse. Its packing is
 * canonical (stored, not deflated; fixed order; fixed timestamps), so verification can
 * re-pack what it unpacked and demand the same bytes: a change to any byte of the
 * archive, headers included, is found, not only changes to the files' contents.
 *
 * `manifest.json` lists every other file with its SHA-256; `manifest.sha256` holds the
 * manifest's own digest in `sha256sum` format. That digest is what an exporter prints and
 * the audit log records (`evidence-package.exported`): compared against it, the package
 * is bound to Gatehouse's chain, not only self-consistent (ADR 1300-1).
 */
import { createHash } from 'node:crypto';
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';

export const PACKAGE_FORMAT = 'gatehouse-evidence-package/1';
export const MANIFEST = 'manifest.json';
export const MANIFEST_DIGEST = 'manifest.sha256';
export const CHECKSUMS = 'SHA256SUMS';

export interface ManifestFile {
  path: string;
  sha256: string;
  size: number;
}

export interface AuditLink {
  seq: number;
  hash: string;
  prevHash: string;
}

export interface Manifest {
  format: typeof PACKAGE_FORMAT;
  release: { id: string; key: string };
  exportedAt: string;
  exportedBy: string;
  /** Every file but the manifest and its digest, in packing order. */
  files: ManifestFile[];
  audit: {
    /** The release's entries, with content: `audit/entries.json`. */
    entries: number;
    /** seq, hash and previous hash of every entry from the first of the release's to the head. */
    chainFrom: number;
    headSeq: number;
    headHash: string;
  };
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * A local-time constructor gives the same calendar fields in every time zone, and zip
 * stores local calendar fields: so the packed bytes do not depend on where it ran. Noon
 * keeps clear of zones that once moved their clocks at midnight.
 */
function packingTime(): Date {
  return new Date(2000, 0, 1, 12, 0, 0);
}

/** The one way files are packed; exported so tests can re-pack altered files canonically. */
export function pack(files: Array<[string, Uint8Array]>): Uint8Array {
  const zippable: Zippable = {};
  for (const [path, bytes] of files) zippable[path] = [bytes, { level: 0, mtime: packingTime() }];
  return zipSync(zippable, { level: 0, mtime: packingTime() });
}

export function checksumsText(files: ManifestFile[]): string {
  return files.map((f) => `${f.sha256}  ${f.path}\n`).join('');
}

/**
 * Builds the archive from the package's files (path → bytes, in the order given):
 * SHA256SUMS, then the manifest and its digest are added here.
 */
export function buildEvidencePackage(
  header: Omit<Manifest, 'files'>,
  content: Array<[string, Uint8Array]>,
): { archive: Uint8Array; manifest: Manifest; manifestSha256: string; archiveSha256: string } {
  const listed = content.map(([path, bytes]) => ({
    path,
    sha256: sha256(bytes),
    size: bytes.length,
  }));
  const sums = strToU8(checksumsText(listed));
  const files = [...listed, { path: CHECKSUMS, sha256: sha256(sums), size: sums.length }];
  const manifest: Manifest = { ...header, files };
  const manifestBytes = strToU8(`${JSON.stringify(manifest, null, 2)}\n`);
  const manifestSha256 = sha256(manifestBytes);
  const archive = pack([
    [MANIFEST, manifestBytes],
    [MANIFEST_DIGEST, strToU8(`${manifestSha256}  ${MANIFEST}\n`)],
    ...content,
    [CHECKSUMS, sums],
  ]);
  return { archive, manifest, manifestSha256, archiveSha256: sha256(archive) };
}

export class UnreadablePackage extends Error {}

export interface PackageProblem {
  /** The file inside the archive (or `(archive)`) the problem is in. */
  file: string;
  problem: string;
}

export interface PackageContents {
  files: Map<string, Uint8Array>;
  manifest: Manifest;
  manifestSha256: string;
}

/**
 * Unpacks and checks the packing, the manifest's digest and every file's SHA-256. Throws
 * UnreadablePackage when the bytes are not a zip at all; returns problems otherwise.
 */
export function openEvidencePackage(archive: Uint8Array): {
  contents: PackageContents | null;
  problems: PackageProblem[];
} {
  if (
    archive.length < 4 ||
    archive[0] !== 0x50 ||
    archive[1] !== 0x4b ||
    archive[2] !== 3 ||
    archive[3] !== 4
  )
    throw new UnreadablePackage(
      'not a zip archive (it does not start with a zip local file header)',
    );
  let unpacked: Record<string, Uint8Array>;
  try {
    unpacked = unzipSync(archive);
  } catch (error) {
    return {
      contents: null,
      problems: [
        { file: '(archive)', problem: `damaged or truncated zip: ${(error as Error).message}` },
      ],
    };
  }
  const problems: PackageProblem[] = [];
  const files = new Map(Object.entries(unpacked));
  const repacked = pack([...files.entries()]);
  if (repacked.length !== archive.length || !Buffer.from(repacked).equals(Buffer.from(archive)))
    problems.push({
      file: '(archive)',
      problem: `the zip's bytes differ from the canonical packing of its files${firstDifference(archive, repacked)}`,
    });
  const manifestBytes = files.get(MANIFEST);
  if (!manifestBytes)
    return { contents: null, problems: [...problems, { file: MANIFEST, problem: 'missing' }] };
  const manifestSha256 = sha256(manifestBytes);
  const digestFile = files.get(MANIFEST_DIGEST);
  if (!digestFile) problems.push({ file: MANIFEST_DIGEST, problem: 'missing' });
  else if (strFromU8(digestFile) !== `${manifestSha256}  ${MANIFEST}\n`)
    problems.push({
      file: MANIFEST,
      problem: `its SHA-256 is ${manifestSha256}, ${MANIFEST_DIGEST} says otherwise`,
    });
  let manifest: Manifest;
  try {
    manifest = JSON.parse(strFromU8(manifestBytes)) as Manifest;
    const shapeProblem = manifestShapeProblem(manifest);
    if (shapeProblem) throw new Error(shapeProblem);
  } catch (error) {
    return {
      contents: null,
      problems: [
        ...problems,
        { file: MANIFEST, problem: `unreadable: ${(error as Error).message}` },
      ],
    };
  }
  const listed = new Set<string>([MANIFEST, MANIFEST_DIGEST]);
  for (const entry of manifest.files) {
    listed.add(entry.path);
    const bytes = files.get(entry.path);
    if (!bytes) {
      problems.push({ file: entry.path, problem: 'listed in the manifest but not in the archive' });
      continue;
    }
    const actual = sha256(bytes);
    if (actual !== entry.sha256 || bytes.length !== entry.size)
      problems.push({
        file: entry.path,
        problem: `altered: its SHA-256 is ${actual} (${bytes.length} bytes), the manifest says ${entry.sha256} (${entry.size} bytes)`,
      });
  }
  for (const path of files.keys())
    if (!listed.has(path))
      problems.push({ file: path, problem: 'in the archive but not in the manifest' });
  const sums = files.get(CHECKSUMS);
  if (sums && strFromU8(sums) !== checksumsText(manifest.files.filter((f) => f.path !== CHECKSUMS)))
    problems.push({ file: CHECKSUMS, problem: 'does not list the manifest’s files and digests' });
  return { contents: { files, manifest, manifestSha256 }, problems };
}

function firstDifference(a: Uint8Array, b: Uint8Array): string {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return ` (first at byte ${i})`;
  return a.length === b.length ? '' : ` (lengths ${a.length} and ${b.length})`;
}

/** The manifest is read by untrusting code: anything not shaped as Gatehouse writes it is refused. */
function manifestShapeProblem(m: Manifest): string | null {
  if (typeof m !== 'object' || m === null) return 'not an object';
  if (m.format !== PACKAGE_FORMAT) return `format is not ${PACKAGE_FORMAT}`;
  if (typeof m.release?.key !== 'string' || typeof m.release?.id !== 'string') return 'no release';
  const a = m.audit as Partial<Manifest['audit']> | undefined;
  if (
    typeof a?.entries !== 'number' ||
    typeof a.chainFrom !== 'number' ||
    typeof a.headSeq !== 'number' ||
    typeof a.headHash !== 'string'
  )
    return 'no audit chain summary';
  if (!Array.isArray(m.files)) return 'no file list';
  for (const f of m.files as unknown[]) {
    const file = f as Partial<ManifestFile> | null;
    if (
      typeof file?.path !== 'string' ||
      typeof file.sha256 !== 'string' ||
      typeof file.size !== 'number'
    )
      return 'a file entry lacks its path, SHA-256 or size';
  }
  return null;
}
