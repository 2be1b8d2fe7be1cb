/**
 * A local stand-in for ServiceNow's Table API (change_request) and Jira Cloud's REST API
 * v3 (issues, comments, transitions), answering with the documented request and response
 * shapes — success envelopes and the 400 / 401 / 404 error bodies — and, on demand, with
 * 5xx, 429 + Retry-After, or a slow answer. Sources: docs/integrations/servicenow.md and
 * docs/integrations/jira.md.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: any;
}

export interface Fault {
  status: number;
  retryAfter?: string;
  body?: unknown;
  delayMs?: number;
}

export interface ServiceNowChange {
  sys_id: string;
  number: string;
  short_description: string;
  description: string;
  state: string;
  close_code?: string;
  close_notes?: string;
  correlation_id?: string;
  work_notes: string[];
}

export interface JiraIssue {
  id: string;
  key: string;
  project: string;
  issuetype: string;
  summary: string;
  status: string;
  comments: string[];
}

export interface FakeItsm {
  url: string;
  requests: RecordedRequest[];
  serviceNow: Map<string, ServiceNowChange>;
  jira: Map<string, JiraIssue>;
  /** The next answers, in order, replace whatever the request would have got. */
  faults: Fault[];
  close(): Promise<void>;
}

const SN_STATES: Record<string, string> = { '-5': 'New', '3': 'Closed', '4': 'Canceled' };

function send(
  res: ServerResponse,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, {
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    ...headers,
  });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

const snError = (message: string, detail: string | null) => ({
  error: { message, detail },
  status: 'failure',
});
const jiraErrors = (errorMessages: string[], errors: Record<string, string> = {}) => ({
  errorMessages,
  errors,
});
const adfText = (doc: any): string =>
  (doc?.content ?? [])
    .map((p: any) => (p.content ?? []).map((t: any) => t.text ?? '').join(''))
    .join('\n');

export async function startFakeItsm(credentials: {
  basic: { username: string; password: string };
  bearer: string;
  jiraProjects?: string[];
}): Promise<FakeItsm> {
  const requests: RecordedRequest[] = [];
  const serviceNow = new Map<string, ServiceNowChange>();
  const jira = new Map<string, JiraIssue>();
  const faults: Fault[] = [];
  const projects = credentials.jiraProjects ?? ['CHG'];
  let snCounter = 10001;
  let jiraCounter = 10000;

  const authenticated = (req: IncomingMessage) => {
    const header = req.headers.authorization ?? '';
    if (header === `Bearer ${credentials.bearer}`) return true;
    const basic = /^Basic (.+)$/.exec(header);
    if (!basic) return false;
    return (
      Buffer.from(basic[1]!, 'base64').toString('utf8') ===
      `${credentials.basic.username}:${credentials.basic.password}`
    );
  };

  async function handle(req: IncomingMessage, res: ServerResponse, body: any) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const fault = faults.shift();
    if (fault) {
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (res.destroyed) return;
      return send(
        res,
        fault.status,
        fault.body ??
          (path.startsWith('/api/now')
            ? snError('Service unavailable', null)
            : jiraErrors(['Service unavailable'])),
        fault.retryAfter ? { 'retry-after': fault.retryAfter } : {},
      );
    }
    // ServiceNow Table API
    if (path.startsWith('/api/now/table/')) {
      if (!authenticated(req))
        return send(
          res,
          401,
          snError('User Not Authenticated', 'Required to provide Auth information'),
        );
      const match = /^\/api\/now\/table\/change_request(?:\/([^/]+))?$/.exec(path);
      if (!match) return send(res, 400, snError('Invalid table', null));
      const sysId = match[1];
      if (req.method === 'POST' && !sysId) {
        if (typeof body?.short_description !== 'string' || body.short_description === '')
          return send(res, 400, snError('Invalid request', 'short_description is mandatory'));
        const change: ServiceNowChange = {
          sys_id: randomBytes(16).toString('hex'),
          number: `CHG${String(snCounter++).padStart(7, '0')}`,
          short_description: body.short_description,
          description: body.description ?? '',
          state: '-5',
          correlation_id: body.correlation_id,
          work_notes: body.work_notes ? [body.work_notes] : [],
        };
        serviceNow.set(change.sys_id, change);
        return send(res, 201, { result: { ...change, work_notes: '', state: change.state } });
      }
      if (req.method === 'PATCH' && sysId) {
        const change = serviceNow.get(sysId);
        if (!change)
          return send(
            res,
            404,
            snError(
              'No Record found',
              "Record doesn't exist or ACL restricts the record retrieval",
            ),
          );
        if (body?.state !== undefined && !(body.state in SN_STATES))
          return send(res, 400, snError('Invalid state', `state ${body.state} is not a choice`));
        if (body.work_notes) change.work_notes.push(body.work_notes);
        for (const key of ['state', 'close_code', 'close_notes'] as const)
          if (typeof body[key] === 'string') change[key] = body[key];
        return send(res, 200, { result: { ...change, work_notes: '' } });
      }
      return send(res, 405, snError('Method not supported', null));
    }
    // Jira Cloud REST API v3
    if (path.startsWith('/rest/api/3/')) {
      if (!authenticated(req))
        return send(
          res,
          401,
          jiraErrors([
            'You are not authenticated. Authentication required to perform this operation.',
          ]),
        );
      if (path === '/rest/api/3/issue' && req.method === 'POST') {
        const fields = body?.fields ?? {};
        const errors: Record<string, string> = {};
        if (!projects.includes(fields.project?.key)) errors.project = 'valid project is required';
        if (fields.issuetype?.name !== 'Change') errors.issuetype = 'Specify a valid issue type';
        if (typeof fields.summary !== 'string' || fields.summary === '')
          errors.summary = 'You must specify a summary of the issue.';
        if (Object.keys(errors).length) return send(res, 400, jiraErrors([], errors));
        const id = String(jiraCounter++);
        const issue: JiraIssue = {
          id,
          key: `${fields.project.key}-${jira.size + 1}`,
          project: fields.project.key,
          issuetype: fields.issuetype.name,
          summary: fields.summary,
          status: 'Awaiting implementation',
          comments: [adfText(fields.description)],
        };
        jira.set(issue.key, issue);
        return send(res, 201, { id, key: issue.key, self: `${fakeUrl}/rest/api/3/issue/${id}` });
      }
      const issueMatch = /^\/rest\/api\/3\/issue\/([^/]+)\/(comment|transitions)$/.exec(path);
      if (issueMatch) {
        const issue = jira.get(decodeURIComponent(issueMatch[1]!));
        if (!issue)
          return send(
            res,
            404,
            jiraErrors(['Issue does not exist or you do not have permission to see it.']),
          );
        if (issueMatch[2] === 'comment' && req.method === 'POST') {
          if (body?.body?.type !== 'doc')
            return send(res, 400, jiraErrors([], { comment: 'Comment body can not be empty!' }));
          issue.comments.push(adfText(body.body));
          return send(res, 201, { id: String(issue.comments.length), body: body.body });
        }
        const available =
          issue.status === 'Awaiting implementation'
            ? [
                { id: '31', name: 'Done', to: { name: 'Done' } },
                { id: '41', name: 'Cancel', to: { name: 'Canceled' } },
              ]
            : [];
        if (issueMatch[2] === 'transitions' && req.method === 'GET')
          return send(res, 200, { transitions: available });
        if (issueMatch[2] === 'transitions' && req.method === 'POST') {
          const chosen = available.find((t) => t.id === body?.transition?.id);
          if (!chosen)
            return send(
              res,
              400,
              jiraErrors([`Transition id '${body?.transition?.id}' is not valid for this issue.`]),
            );
          issue.status = chosen.to.name;
          for (const c of body.update?.comment ?? []) issue.comments.push(adfText(c.add?.body));
          return send(res, 204);
        }
      }
      return send(res, 404, jiraErrors(['Not found']));
    }
    send(res, 404, { message: 'not found' });
  }

  let fakeUrl = '';
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      let body: any = null;
      try {
        body = raw ? JSON.parse(raw) : null;
      } catch {
        return send(res, 400, {
          error: { message: 'Invalid JSON', detail: null },
          status: 'failure',
        });
      }
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        authorization: req.headers.authorization,
        body,
      });
      void handle(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fakeUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: fakeUrl,
    requests,
    serviceNow,
    jira,
    faults,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
