/**
 * Calendar quarters in UTC, named `YYYY-Qn`: the period a quarterly health report covers.
 */
import type { FieldProblem } from '../errors.js';

export interface Quarter {
  label: string;
  year: number;
  number: 1 | 2 | 3 | 4;
  /** Inclusive, ISO 8601 UTC. */
  since: string;
  /** Exclusive, ISO 8601 UTC. */
  until: string;
}

export const QUARTER_PATTERN = '^[0-9]{4}-Q[1-4]$';

function quarter(year: number, number: number): Quarter {
  const start = new Date(Date.UTC(year, (number - 1) * 3, 1));
  const end = new Date(Date.UTC(year, number * 3, 1));
  return {
    label: `${year}-Q${number}`,
    year,
    number: number as Quarter['number'],
    since: start.toISOString(),
    until: end.toISOString(),
  };
}

/** `2026-Q3` → the quarter; anything else is a problem naming the field. */
export function parseQuarter(
  text: string,
  field: string,
): { quarter: Quarter; problem: null } | { quarter: null; problem: FieldProblem } {
  const match = /^(\d{4})-Q([1-4])$/.exec(text);
  if (!match || Number(match[1]) < 1970)
    return {
      quarter: null,
      problem: { field, reason: `'${text}' is not a quarter: write YYYY-Qn, e.g. 2026-Q3` },
    };
  return { quarter: quarter(Number(match[1]), Number(match[2])), problem: null };
}

export function quarterOf(at: Date): Quarter {
  return quarter(at.getUTCFullYear(), Math.floor(at.getUTCMonth() / 3) + 1);
}

export function previousQuarter(q: Quarter): Quarter {
  return q.number === 1 ? quarter(q.year - 1, 4) : quarter(q.year, q.number - 1);
}
