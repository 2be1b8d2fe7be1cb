/**
 * GitLab project or group webhooks: Deployment Hook and Pipeline Hook. GitLab sends the
 * secret token configured on the webhook as `X-Gitlab-Token` (a plain shared secret, not
 * a signature): the route compares it before anything is parsed. Payload shapes are
 * GitLab's published webhook events (docs: "Webhook events").
 */
import { invalid } from '../../domain/errors.js';
import { catalogName, type EventMeaning, type InboundEvent } from '../../domain/ingestion.js';
import type { DeploymentStatus } from '../../domain/lifecycle.js';
import { parseJsonBody, type Headers } from '../cdevents.js';
import {
  header,
  identifier,
  instant,
  optionalRecord,
  record,
  requiredText,
  text,
} from './payload.js';

/** GitLab deployment and job statuses that say something about a deployment. */
export const GITLAB_STATUSES: Record<string, DeploymentStatus> = {
  running: 'started',
  success: 'succeeded',
  failed: 'failed',
  canceled: 'failed',
};

function projectOf(payload: Record<string, unknown>) {
  const project = record(payload.project, '/project');
  const id = identifier(project.id, '/project/id');
  const path = text(project.path_with_namespace);
  const names = [text(project.name), path?.split('/').pop() ?? null].filter(
    (n): n is string => n !== null,
  );
  if (names.length === 0) throw invalid('/project/name', 'is required', 'malformed-event');
  return { id, services: [...new Set(names.map(catalogName))] };
}

function deliveryKey(headers: Headers, derived: string): string {
  return (
    text(header(headers, 'idempotency-key')) ??
    text(header(headers, 'x-gitlab-event-uuid')) ??
    derived
  );
}

function noted(
  base: Omit<InboundEvent, 'meaning' | 'occurredAt'>,
  occurredAt: string,
  summary: string,
): InboundEvent {
  return { ...base, occurredAt, meaning: { kind: 'noted', summary } };
}

function deploymentHook(headers: Headers, payload: Record<string, unknown>): InboundEvent {
  const project = projectOf(payload);
  const deploymentId = identifier(payload.deployment_id, '/deployment_id');
  const state = requiredText(payload.status, '/status');
  const occurredAt = instant(payload.status_changed_at, '/status_changed_at');
  const environment = requiredText(payload.environment, '/environment');
  const base = {
    channel: 'gitlab' as const,
    deliveryKey: deliveryKey(
      headers,
      `deployment\n${project.id}\n${deploymentId}\n${state}\n${occurredAt}`,
    ),
    type: `deployment.${state}`,
  };
  const status = GITLAB_STATUSES[state];
  if (!status)
    return noted(base, occurredAt, `GitLab deployment status '${state}' is not acted on`);
  // The deployed commit: the full SHA ends commit_url; short_sha is its prefix.
  const commitUrl = text(payload.commit_url);
  const fullSha = commitUrl ? (/\/commit\/([0-9a-f]{40})$/i.exec(commitUrl)?.[1] ?? null) : null;
  const versions = [fullSha, text(payload.short_sha), text(payload.ref)].filter(
    (v): v is string => v !== null,
  );
  const meaning: EventMeaning = {
    kind: 'deployment',
    services: project.services,
    environment: catalogName(environment),
    versions: [...new Set(versions)],
    artifact: null,
    region: null,
    status,
    trackingKey: `${project.id}\ndeployment ${deploymentId}`,
    createdAt: null,
  };
  return { ...base, occurredAt, meaning };
}

/**
 * A pipeline's deploy job: the first job that starts an environment and whose status
 * says something. A pipeline with no such job (tests only, deploy skipped or manual and
 * not played) is noted.
 */
function pipelineHook(headers: Headers, payload: Record<string, unknown>): InboundEvent {
  const project = projectOf(payload);
  const attributes = record(payload.object_attributes, '/object_attributes');
  const pipelineId = identifier(attributes.id, '/object_attributes/id');
  const pipelineStatus = requiredText(attributes.status, '/object_attributes/status');
  const createdAt = instant(attributes.created_at, '/object_attributes/created_at');
  const finishedAt =
    attributes.finished_at == null
      ? null
      : instant(attributes.finished_at, '/object_attributes/finished_at');
  const base = {
    channel: 'gitlab' as const,
    deliveryKey: deliveryKey(
      headers,
      `pipeline\n${project.id}\n${pipelineId}\n${pipelineStatus}\n${finishedAt ?? createdAt}`,
    ),
    type: `pipeline.${pipelineStatus}`,
  };
  const builds = Array.isArray(payload.builds) ? payload.builds : [];
  for (const [index, raw] of builds.entries()) {
    const build = optionalRecord(raw);
    const environment = optionalRecord(build?.environment);
    const name = text(environment?.name);
    if (!build || !environment || !name) continue;
    if ((text(environment.action) ?? 'start') !== 'start') continue;
    const state = text(build.status);
    const status = state ? GITLAB_STATUSES[state] : undefined;
    if (!status) continue;
    const at = (field: string) =>
      build[field] == null ? null : instant(build[field], `/builds/${index}/${field}`);
    const occurredAt = at('finished_at') ?? at('started_at') ?? finishedAt ?? createdAt;
    const versions = [text(attributes.sha), text(attributes.ref)].filter(
      (v): v is string => v !== null,
    );
    return {
      ...base,
      occurredAt,
      meaning: {
        kind: 'deployment',
        services: project.services,
        environment: catalogName(name),
        versions: [...new Set(versions)],
        artifact: null,
        region: null,
        status,
        trackingKey: `${project.id}\npipeline ${pipelineId}\n${catalogName(name)}`,
        createdAt: at('started_at'),
      },
    };
  }
  return noted(
    base,
    finishedAt ?? createdAt,
    `GitLab pipeline ${pipelineId} (${pipelineStatus}) ran no deploy job that started, succeeded or failed`,
  );
}

export function parseGitlabDelivery(headers: Headers, body: string): InboundEvent {
  const name = text(header(headers, 'x-gitlab-event'));
  if (!name)
    throw invalid('x-gitlab-event', 'the event name header is required', 'malformed-event');
  const payload = record(parseJsonBody(body), '/body');
  if (name === 'Deployment Hook') return deploymentHook(headers, payload);
  if (name === 'Pipeline Hook') return pipelineHook(headers, payload);
  const key =
    text(header(headers, 'x-gitlab-event-uuid')) ?? text(header(headers, 'idempotency-key'));
  if (!key)
    throw invalid('x-gitlab-event-uuid', `is required for a '${name}' delivery`, 'malformed-event');
  return noted(
    { channel: 'gitlab', deliveryKey: key, type: name },
    new Date(0).toISOString(),
    `GitLab '${name}' events are not acted on`,
  );
}
