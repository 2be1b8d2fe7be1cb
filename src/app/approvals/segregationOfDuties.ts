/** Segregation of duties outside the approval stages themselves. */
import type { Release } from '../../domain/release.js';
import { GatehouseError } from '../../domain/errors.js';
import type { Actor } from '../context.js';

/** Whoever authored a change in the release does not record its production deployment. */
export function assertMayRecordProductionDeployment(
  actor: Actor,
  release: Release,
  environment: { name: string; production: number },
): void {
  if (environment.production !== 1) return;
  const author = (release.authors ?? []).find((a) => a.toLowerCase() === actor.name.toLowerCase());
  if (!author) return;
  throw new GatehouseError(
    'forbidden',
    'sod-author-deploys',
    `${actor.name} authored a change in ${release.key}, and an author does not record its deployment to production (${environment.name}); someone else records it`,
    { extra: { rule: 'sod-author-deploys' } },
  );
}
