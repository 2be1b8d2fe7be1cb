/** Evidence of a release: what CI reported, and a form to add a report file by hand. */
import { useRef, useState } from 'react';
import { api } from '../api.js';
import { formatInstant, formatNumber } from '../format.js';
import { ProblemNotice } from '../ProblemNotice.js';
import { useAction } from '../useApi.js';

export interface Evidence {
  id: string;
  type: string;
  fileName: string;
  sha256: string;
  size: number;
  uploadedBy: string;
  uploadedAt: string;
}

const TYPES: [string, string][] = [
  ['junit', 'JUnit XML tests'],
  ['lcov', 'LCOV coverage'],
  ['cobertura', 'Cobertura coverage'],
  ['sarif', 'SARIF findings'],
  ['cyclonedx', 'CycloneDX SBOM'],
  ['trivy', 'Trivy scan'],
  ['grype', 'Grype scan'],
];

export function EvidencePanel({
  releaseKey,
  evidence,
  onAdded,
}: {
  releaseKey: string;
  evidence: Evidence[];
  onAdded: () => void;
}) {
  const [type, setType] = useState('junit');
  const file = useRef<HTMLInputElement>(null);
  const { busy, problem, run } = useAction();
  return (
    <section aria-labelledby="evidence">
      <h2 id="evidence">Evidence</h2>
      {evidence.length === 0 ? (
        <p className="empty">No evidence yet: CI uploads its reports, or add one here.</p>
      ) : (
        <div className="table-scroll" tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col">File</th>
                <th scope="col">Size (bytes)</th>
                <th scope="col">SHA-256</th>
                <th scope="col">Added</th>
              </tr>
            </thead>
            <tbody>
              {evidence.map((e) => (
                <tr key={e.id}>
                  <td>{e.type}</td>
                  <td>{e.fileName}</td>
                  <td>{formatNumber(e.size)}</td>
                  <td>
                    <code title={e.sha256}>{e.sha256.slice(0, 12)}…</code>
                  </td>
                  <td>
                    {formatInstant(e.uploadedAt)} by {e.uploadedBy}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form
        className="inline-form"
        aria-label="Add evidence"
        onSubmit={(event) => {
          event.preventDefault();
          const chosen = file.current?.files?.[0];
          void run(
            () =>
              api(
                'POST',
                `/releases/${encodeURIComponent(releaseKey)}/evidence?type=${type}` +
                  (chosen ? `&name=${encodeURIComponent(chosen.name)}` : ''),
                chosen ?? new Blob([]),
              ),
            () => {
              if (file.current) file.current.value = '';
              onAdded();
            },
          );
        }}
      >
        <label>
          Report type
          <select value={type} onChange={(e) => setType(e.target.value)}>
            {TYPES.map(([value, name]) => (
              <option key={value} value={value}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Report file
          <input type="file" ref={file} />
        </label>
        <button type="submit" disabled={busy}>
          Add evidence
        </button>
      </form>
      {problem && <ProblemNotice problem={problem} />}
    </section>
  );
}
