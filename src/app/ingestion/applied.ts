import type { EventOutcome } from '../../domain/ingestion.js';

/** What applying one event did. */
export interface Applied {
  outcome: EventOutcome;
  reason: string;
  deploymentId?: string;
  incidentId?: string;
}

export function deadLetter(reason: string): Applied {
  return { outcome: 'dead-letter', reason };
}
