/**
 * Azure DevOps service hooks (Web Hooks consumer), authenticated with the basic
 * authentication the subscription is configured with. Shapes are Microsoft's published
 * service hook events: `ms.vss-release.deployment-completed-event` (a classic release
 * deployed to a stage) records deployments; `ms.vss-pipelines.run-state-changed-event`
 * names no environment, so a run is noted, not recorded.
 */
import { invalid } from '../../domain/errors.js';
import { catalogName, type InboundEvent } from '../../domain/ingestion.js';
import type { DeploymentStatus } from '../../domain/lifecycle.js';
import { parseJsonBody } from '../cdevents.js';
import { identifier, instant, optionalRecord, record, requiredText, text } from './payload.js';

/** Release environment (stage) statuses, lowercased. */
export const AZURE_STAGE_STATUSES: Record<string, DeploymentStatus> = {
  inprogress: 'started',
  queued: 'started',
  succeeded: 'succeeded',
  partiallysucceeded: 'partial',
  rejected: 'failed',
  canceled: 'failed',
  cancelled: 'failed',
  failed: 'failed',
};

/** The user name and password of a `Basic` authorization header, or null. */
export function basicCredentials(
  authorization: string | undefined,
): { username: string; password: string } | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function parseAzureDevopsDelivery(body: string): InboundEvent {
  const payload = record(parseJsonBody(body), '/body');
  const id = requiredText(payload.id, '/id');
  const eventType = requiredText(payload.eventType, '/eventType');
  const occurredAt = instant(payload.createdDate, '/createdDate');
  const base = { channel: 'azure-devops' as const, deliveryKey: id, type: eventType, occurredAt };
  const resource = record(payload.resource, '/resource');
  if (eventType === 'ms.vss-release.deployment-completed-event') {
    const environment = record(resource.environment, '/resource/environment');
    const stage = requiredText(environment.name, '/resource/environment/name');
    const state = requiredText(environment.status, '/resource/environment/status');
    const status = AZURE_STAGE_STATUSES[state.toLowerCase()];
    if (!status)
      return {
        ...base,
        meaning: { kind: 'noted', summary: `Azure DevOps stage status '${state}' is not acted on` },
      };
    const release = record(environment.release, '/resource/environment/release');
    const releaseId = identifier(release.id, '/resource/environment/release/id');
    const project = record(resource.project, '/resource/project');
    const projectName = requiredText(project.name, '/resource/project/name');
    const definition = optionalRecord(optionalRecord(resource.release)?.releaseDefinition);
    // The service: a release variable `service` when the pipeline sets one, then the
    // release definition's name, then the project's.
    const variables = optionalRecord(environment.variables);
    const serviceVariable = text(optionalRecord(variables?.service)?.value);
    const services = [serviceVariable, text(definition?.name), projectName]
      .filter((s): s is string => s !== null)
      .map(catalogName);
    const versionVariable = text(optionalRecord(variables?.version)?.value);
    const versions = [versionVariable, text(release.name)].filter((v): v is string => v !== null);
    return {
      ...base,
      type: `${eventType}.${state.toLowerCase()}`,
      meaning: {
        kind: 'deployment',
        services: [...new Set(services)],
        environment: catalogName(stage),
        versions: [...new Set(versions)],
        artifact: null,
        region: null,
        status,
        trackingKey: `${projectName}\nrelease ${releaseId}\nstage ${identifier(environment.id, '/resource/environment/id')}`,
        createdAt: null,
      },
    };
  }
  if (eventType === 'ms.vss-pipelines.run-state-changed-event') {
    const run = record(resource.run, '/resource/run');
    const runId = identifier(run.id, '/resource/run/id');
    const state = text(run.state) ?? 'unknown';
    const result = text(run.result);
    return {
      ...base,
      type: `${eventType}.${result ?? state}`,
      meaning: {
        kind: 'noted',
        summary: `Azure DevOps pipeline run ${runId} is ${result ?? state}; a run names no environment, so no deployment follows from it`,
      },
    };
  }
  if (eventType.length > 200) throw invalid('/eventType', 'is too long', 'malformed-event');
  return {
    ...base,
    meaning: { kind: 'noted', summary: `Azure DevOps '${eventType}' events are not acted on` },
  };
}
