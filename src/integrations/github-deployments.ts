/**
 * GitHub `deployment` and `deployment_status` webhooks. The signature is checked over the
 * exact bytes received, before anything is parsed, with Octokit's timing-safe HMAC
 * verification; then the payload is reduced to a deployment event.
 */
import { verify } from '@octokit/webhooks-methods';
import { invalid } from '../domain/errors.js';
import {
  catalogName,
  GITHUB_STATES,
  type EventMeaning,
  type InboundEvent,
} from '../domain/ingestion.js';
import { parseJsonBody, type Headers } from './cdevents.js';

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** True only for a well-formed `sha256=` signature of exactly these bytes. */
export async function signatureMatches(
  secret: string,
  body: string,
  signature: string | undefined,
): Promise<boolean> {
  if (!signature || !/^sha256=[0-9a-f]{64}$/i.test(signature)) return false;
  try {
    return await verify(secret, body, signature);
  } catch {
    return false;
  }
}

function record(value: unknown, field: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw invalid(field, 'must be a JSON object', 'malformed-event');
  return value as Record<string, unknown>;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

function instant(value: unknown, field: string): string {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value)))
    throw invalid(field, 'must be an ISO 8601 timestamp', 'malformed-event');
  return new Date(value).toISOString();
}

/**
 * Reads a verified webhook delivery. Which service and version it names: the
 * deployment's `payload.service` and `payload.version` when the workflow set them,
 * otherwise the repository's name and the deployed commit (then the ref).
 */
export function parseGithubDelivery(headers: Headers, body: string): InboundEvent {
  const delivery = text(header(headers, 'x-github-delivery'));
  if (!delivery)
    throw invalid('x-github-delivery', 'the delivery id header is required', 'malformed-event');
  const name = text(header(headers, 'x-github-event'));
  if (!name)
    throw invalid('x-github-event', 'the event name header is required', 'malformed-event');
  const payload = record(parseJsonBody(body), '/body');
  const base = { channel: 'github' as const, deliveryKey: delivery, type: name };
  if (name !== 'deployment' && name !== 'deployment_status') {
    const meaning: EventMeaning = {
      kind: 'noted',
      summary: `GitHub '${name}' events are not acted on`,
    };
    return { ...base, occurredAt: new Date(0).toISOString(), meaning };
  }
  const deployment = record(payload.deployment, '/deployment');
  const repository = record(payload.repository, '/repository');
  const id = deployment.id;
  if (typeof id !== 'number' && typeof id !== 'string')
    throw invalid('/deployment/id', 'is required', 'malformed-event');
  const environment = text(deployment.environment);
  if (!environment) throw invalid('/deployment/environment', 'is required', 'malformed-event');
  const repo = text(repository.full_name) ?? text(repository.name);
  if (!repo) throw invalid('/repository/full_name', 'is required', 'malformed-event');
  const createdAt = instant(deployment.created_at, '/deployment/created_at');
  const extra =
    deployment.payload !== null &&
    typeof deployment.payload === 'object' &&
    !Array.isArray(deployment.payload)
      ? (deployment.payload as Record<string, unknown>)
      : {};
  let status = GITHUB_STATES.pending!;
  let occurredAt = createdAt;
  let type = `deployment.${text(payload.action) ?? 'created'}`;
  if (name === 'deployment_status') {
    const deploymentStatus = record(payload.deployment_status, '/deployment_status');
    const state = text(deploymentStatus.state);
    if (!state) throw invalid('/deployment_status/state', 'is required', 'malformed-event');
    occurredAt = instant(deploymentStatus.created_at, '/deployment_status/created_at');
    type = `deployment_status.${state}`;
    const mapped = GITHUB_STATES[state];
    if (!mapped)
      return {
        ...base,
        type,
        occurredAt,
        meaning: { kind: 'noted', summary: `GitHub deployment state '${state}' is not acted on` },
      };
    status = mapped;
  }
  const repoName = repo.split('/').pop()!;
  const versions = [text(extra.version), text(deployment.sha), text(deployment.ref)].filter(
    (v): v is string => v !== null,
  );
  const services = [
    ...new Set(
      [text(extra.service), repoName].filter((s): s is string => s !== null).map(catalogName),
    ),
  ];
  const region = text(extra.region);
  return {
    ...base,
    type,
    occurredAt,
    meaning: {
      kind: 'deployment',
      services,
      environment: catalogName(environment),
      versions: [...new Set(versions)],
      artifact: null,
      region: region ? catalogName(region) : null,
      status,
      trackingKey: `${repo}\n${String(id)}`,
      createdAt,
    },
  };
}
