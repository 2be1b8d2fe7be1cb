/**
 * CDEvents in the CloudEvents HTTP binding, binary mode (`ce-*` headers, the CDEvent as
 * the JSON body) or structured mode (`application/cloudevents+json`, the CDEvent as
 * `data`). The CloudEvents SDK reads the envelope; the attributes the spec makes
 * mandatory are checked here first, because the SDK fills in a missing id or time
 * instead of refusing. Anything wrong is an `invalid` error naming the header or the
 * JSON pointer at fault.
 */
import { HTTP, type CloudEventV1 } from 'cloudevents';
import {
  catalogName,
  parsePackageUrl,
  severityFromText,
  type EventMeaning,
  type InboundEvent,
} from '../domain/ingestion.js';
import { invalid } from '../domain/errors.js';

export type Headers = Record<string, string | string[] | undefined>;

const STRUCTURED = 'application/cloudevents+json';
const TYPE = /^dev\.cdevents\.([a-z]+)\.([a-z]+)\.(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/;
const MAX_DEPTH = 64;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function isInstant(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value) &&
    !Number.isNaN(Date.parse(value))
  );
}

function depthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

/** Parses a JSON text we were sent, refusing what is not JSON or nests absurdly deep. */
export function parseJsonBody(text: string, field = '/body'): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalid(field, `not JSON: ${(error as Error).message}`, 'malformed-event');
  }
  if (depthExceeds(value, MAX_DEPTH))
    throw invalid(field, `nests deeper than ${MAX_DEPTH} levels`, 'malformed-event');
  return value;
}

function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw invalid(field, 'is required and must be a non-empty string', 'malformed-event');
  return value;
}

function object(value: unknown, field: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw invalid(field, 'must be a JSON object', 'malformed-event');
  return value as Record<string, unknown>;
}

function optionalObject(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

/** The envelope's mandatory attributes (CloudEvents 1.0), in whichever mode they came. */
function checkEnvelope(headers: Headers, body: string): { mode: 'binary' | 'structured' } {
  const contentType = (header(headers, 'content-type') ?? '').toLowerCase();
  if (contentType.startsWith('application/cloudevents-batch+json'))
    throw invalid(
      'content-type',
      'batched CloudEvents are not accepted: send one event per request',
      'malformed-event',
    );
  if (contentType.startsWith(STRUCTURED)) {
    const envelope = object(parseJsonBody(body), '/body');
    if (envelope.specversion !== '1.0')
      throw invalid('/specversion', "must be '1.0'", 'malformed-event');
    for (const name of ['id', 'source', 'type']) requireString(envelope[name], `/${name}`);
    if (envelope.time !== undefined && !isInstant(envelope.time))
      throw invalid('/time', 'must be an RFC 3339 timestamp', 'malformed-event');
    if (envelope.data === undefined && envelope.data_base64 === undefined)
      throw invalid('/data', 'is required: the CDEvent travels as the data', 'malformed-event');
    return { mode: 'structured' };
  }
  const ceHeaders = Object.keys(headers).filter((h) => h.toLowerCase().startsWith('ce-'));
  if (ceHeaders.length === 0)
    throw invalid(
      'content-type',
      `not a CloudEvent: send it in structured mode (${STRUCTURED}) or in binary mode with ce-specversion, ce-id, ce-source and ce-type headers`,
      'malformed-event',
    );
  if (header(headers, 'ce-specversion') !== '1.0')
    throw invalid('ce-specversion', "must be '1.0'", 'malformed-event');
  for (const name of ['ce-id', 'ce-source', 'ce-type']) requireString(header(headers, name), name);
  const time = header(headers, 'ce-time');
  if (time !== undefined && !isInstant(time))
    throw invalid('ce-time', 'must be an RFC 3339 timestamp', 'malformed-event');
  if (!contentType.startsWith('application/json'))
    throw invalid(
      'content-type',
      'a binary-mode CDEvent must be application/json',
      'malformed-event',
    );
  return { mode: 'binary' };
}

/**
 * Reads one CDEvent from an HTTP request. The CloudEvents source and id make the
 * delivery key; the CDEvent's own `context.timestamp` is when it happened.
 */
export function parseCdevent(headers: Headers, body: string): InboundEvent {
  const { mode } = checkEnvelope(headers, body);
  let event: CloudEventV1<unknown>;
  try {
    const parsed = HTTP.toEvent({ headers, body });
    if (Array.isArray(parsed)) throw new Error('batched CloudEvents are not accepted');
    event = parsed as CloudEventV1<unknown>;
  } catch (error) {
    throw invalid('/body', `not a CloudEvent: ${(error as Error).message}`, 'malformed-event');
  }
  const at = mode === 'structured' ? '/data' : '/body';
  let data: unknown = event.data;
  if (typeof data === 'string') data = parseJsonBody(data, at);
  if (data instanceof Uint8Array) data = parseJsonBody(Buffer.from(data).toString('utf8'), at);
  const cdevent = object(data, at);
  const context = object(cdevent.context, `${at}/context`);
  const subject = object(cdevent.subject, `${at}/subject`);
  const type = requireString(context.type, `${at}/context/type`);
  const parts = TYPE.exec(type);
  if (!parts)
    throw invalid(
      `${at}/context/type`,
      `'${type}' is not a CDEvents type (dev.cdevents.<subject>.<predicate>.<version>)`,
      'malformed-event',
    );
  if (event.type !== type)
    throw invalid(
      mode === 'binary' ? 'ce-type' : '/type',
      `the CloudEvent type '${event.type}' differs from the CDEvent's context.type '${type}'`,
      'malformed-event',
    );
  requireString(context.id, `${at}/context/id`);
  requireString(context.source, `${at}/context/source`);
  if (!isInstant(context.timestamp))
    throw invalid(`${at}/context/timestamp`, 'must be an RFC 3339 timestamp', 'malformed-event');
  const subjectId = requireString(subject.id, `${at}/subject/id`);
  const content = optionalObject(subject.content);
  const meaning = meaningOf(
    parts[1]!,
    parts[2]!,
    subjectId,
    content,
    optionalObject(cdevent.customData),
    { source: event.source, at },
  );
  return {
    channel: 'cdevents',
    deliveryKey: `${event.source}\n${event.id}`,
    type,
    occurredAt: new Date(context.timestamp).toISOString(),
    meaning,
  };
}

function meaningOf(
  subjectType: string,
  predicate: string,
  subjectId: string,
  content: Record<string, unknown>,
  customData: Record<string, unknown>,
  where: { source: string; at: string },
): EventMeaning {
  const artifact = text(content.artifactId);
  const purl = artifact ? parsePackageUrl(artifact) : null;
  const names = (...candidates: Array<string | null | undefined>) => [
    ...new Set(candidates.filter((c): c is string => Boolean(c)).map(catalogName)),
  ];
  if (subjectType === 'service') {
    const environment = text(optionalObject(content.environment).id);
    if (!environment)
      throw invalid(
        `${where.at}/subject/content/environment/id`,
        `a service.${predicate} event must name its environment`,
        'malformed-event',
      );
    const services = names(subjectId, purl?.name);
    if (predicate === 'removed')
      return { kind: 'noted', summary: `${services[0]} removed from ${environment}` };
    const status =
      predicate === 'rolledback'
        ? 'rolled-back'
        : predicate === 'deployed' || predicate === 'upgraded'
          ? 'succeeded'
          : null;
    if (!status) return { kind: 'noted', summary: `service.${predicate} is not acted on` };
    const region = text(customData.region);
    return {
      kind: 'deployment',
      services,
      environment: catalogName(environment),
      versions: purl?.version ? [purl.version] : [],
      artifact,
      region: region ? catalogName(region) : null,
      status,
      trackingKey:
        status === 'rolled-back'
          ? null
          : `${where.source}\n${subjectId}\n${environment}\n${artifact ?? ''}`,
      createdAt: null,
    };
  }
  if (subjectType === 'environment') {
    if (predicate !== 'created' && predicate !== 'modified' && predicate !== 'deleted')
      return { kind: 'noted', summary: `environment.${predicate} is not acted on` };
    return {
      kind: 'environment',
      action: predicate,
      environment: catalogName(text(content.name) ?? subjectId),
    };
  }
  if (subjectType === 'incident') {
    if (predicate !== 'detected' && predicate !== 'reported' && predicate !== 'resolved')
      return { kind: 'noted', summary: `incident.${predicate} is not acted on` };
    const service = text(optionalObject(content.service).id);
    const environment = text(optionalObject(content.environment).id);
    return {
      kind: 'incident',
      action: predicate,
      externalId: `${where.source}\n${subjectId}`,
      title: (text(content.description) ?? `Incident ${subjectId}`).slice(0, 200),
      services: names(service, purl?.name),
      environment: environment ? catalogName(environment) : null,
      severity: severityFromText(customData.severity),
    };
  }
  return { kind: 'noted', summary: `${subjectType}.${predicate} events are not acted on` };
}
