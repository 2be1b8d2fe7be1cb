/**
 * Jenkins has no deployment webhook of its own, so Gatehouse defines one: a pipeline step
 * POSTs a small JSON document (docs/integrations/jenkins.md) signed with the shared
 * secret, `X-Gatehouse-Signature-256: sha256=<hex HMAC-SHA256 of the exact body>`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { invalid } from '../../domain/errors.js';
import { catalogName, type InboundEvent } from '../../domain/ingestion.js';
import type { DeploymentStatus } from '../../domain/lifecycle.js';
import { parseJsonBody } from '../cdevents.js';
import { identifier, instant, record, requiredText, text } from './payload.js';

export const JENKINS_SIGNATURE_HEADER = 'x-gatehouse-signature-256';

const STATUSES: readonly DeploymentStatus[] = [
  'started',
  'succeeded',
  'failed',
  'rolled-back',
  'partial',
];

const KNOWN_FIELDS = new Set([
  'id',
  'service',
  'environment',
  'version',
  'artifact',
  'status',
  'startedAt',
  'finishedAt',
  'region',
  'job',
  'build',
  'url',
]);

/** `sha256=` + hex HMAC-SHA256 of the body: what a Jenkins step sends. */
export function jenkinsSignature(secret: string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(body, 'utf8').digest('hex');
}

export function jenkinsSignatureMatches(
  secret: string,
  body: string,
  signature: string | undefined,
): boolean {
  if (!signature || !/^sha256=[0-9a-f]{64}$/i.test(signature)) return false;
  const expected = Buffer.from(jenkinsSignature(secret, body));
  const given = Buffer.from(signature.toLowerCase());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function parseJenkinsDelivery(body: string): InboundEvent {
  const payload = record(parseJsonBody(body), '/body');
  for (const key of Object.keys(payload))
    if (!KNOWN_FIELDS.has(key))
      throw invalid(`/${key}`, 'is not a field of the Jenkins deployment event', 'malformed-event');
  const id = requiredText(payload.id, '/id');
  const service = requiredText(payload.service, '/service');
  const environment = requiredText(payload.environment, '/environment');
  const status = requiredText(payload.status, '/status');
  if (!(STATUSES as readonly string[]).includes(status))
    throw invalid('/status', `must be one of ${STATUSES.join(', ')}`, 'malformed-event');
  const version = text(payload.version);
  const artifact = text(payload.artifact);
  if (!version && !artifact)
    throw invalid('/version', 'version or artifact is required', 'malformed-event');
  const startedAt = instant(payload.startedAt, '/startedAt');
  const finishedAt = payload.finishedAt == null ? null : instant(payload.finishedAt, '/finishedAt');
  if (status !== 'started' && !finishedAt)
    throw invalid('/finishedAt', `is required when the status is '${status}'`, 'malformed-event');
  if (finishedAt && finishedAt < startedAt)
    throw invalid('/finishedAt', 'must not be before startedAt', 'malformed-event');
  if (payload.build !== undefined) identifier(payload.build, '/build');
  const region = text(payload.region);
  const occurredAt = status === 'started' ? startedAt : finishedAt!;
  return {
    channel: 'jenkins',
    deliveryKey: `${id}\n${status}\n${occurredAt}`,
    type: `deployment.${status}`,
    occurredAt,
    meaning: {
      kind: 'deployment',
      services: [catalogName(service)],
      environment: catalogName(environment),
      versions: version ? [version] : [],
      artifact,
      region: region ? catalogName(region) : null,
      status: status as DeploymentStatus,
      trackingKey: id,
      createdAt: startedAt,
    },
  };
}
