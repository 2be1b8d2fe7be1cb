/** Shows a refusal the way the product words it: the detail, each field and each failed check. */
import type { Problem } from './api.js';

export function ProblemNotice({ problem }: { problem: Problem }) {
  return (
    <div className="problem" role="alert">
      <p>
        <strong>{problem.title}</strong>: {problem.detail}
      </p>
      {problem.errors && problem.errors.length > 0 && (
        <ul>
          {problem.errors.map((error) => (
            <li key={error.field + error.reason}>
              <code>{error.field}</code> {error.reason}
            </li>
          ))}
        </ul>
      )}
      {problem.failedChecks && problem.failedChecks.length > 0 && (
        <ul>
          {problem.failedChecks.map((check) => (
            <li key={check.check}>
              <code>{check.check}</code> {check.reason}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status">
      Loading {what}…
    </p>
  );
}
