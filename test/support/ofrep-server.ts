/**
 * A flag service on a loopback port speaking OFREP (the OpenFeature Remote Evaluation
 * Protocol), for the real `@openfeature/ofrep-provider` to read: each flag is on for a
 * percentage of targeting keys, chosen by a stable hash as flagd's fractional rule does.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestFlag {
  enabled: boolean;
  /** Share of targeting keys served `true` while enabled, 0–100. */
  percent: number;
}

export interface OfrepServer {
  url: string;
  flags: Map<string, TestFlag>;
  requests: () => number;
  close(): Promise<void>;
}

function bucket(key: string): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) % 100;
}

export async function startOfrepServer(): Promise<OfrepServer> {
  const flags = new Map<string, TestFlag>();
  let requests = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      requests += 1;
      const match = /^\/ofrep\/v1\/evaluate\/flags\/([^/]+)$/.exec(req.url ?? '');
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (req.method !== 'POST' || !match) return send(404, { errorDetails: 'no such route' });
      const key = decodeURIComponent(match[1]!);
      const flag = flags.get(key);
      if (!flag)
        return send(404, {
          key,
          errorCode: 'FLAG_NOT_FOUND',
          errorDetails: `flag ${key} not found`,
        });
      const targetingKey = String(
        (JSON.parse(body || '{}') as { context?: { targetingKey?: string } }).context
          ?.targetingKey ?? '',
      );
      const value = flag.enabled && bucket(`${key}/${targetingKey}`) < flag.percent;
      send(200, { key, value, variant: value ? 'on' : 'off', reason: 'TARGETING_MATCH' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    flags,
    requests: () => requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
