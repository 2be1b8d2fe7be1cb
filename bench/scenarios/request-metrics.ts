/**
 * What the request-duration histogram costs per request: CPU microseconds of the same
 * trivial route with and without the `onResponse` hook, through Fastify's inject (no
 * sockets, so the hook's share is not hidden in network noise). Rounds alternate
 * between the two servers so drift on a shared machine hits both alike.
 */
import Fastify from 'fastify';
import { Registry } from 'prom-client';
import { observeRequestDurations } from '../../src/http/serverMetrics.js';

const ROUNDS = 6;
const PER_ROUND = 5_000;

async function server(withMetrics: boolean) {
  const app = Fastify({ logger: false });
  if (withMetrics) observeRequestDurations(app, new Registry());
  app.get('/releases/:id', async (request) => ({ id: (request.params as { id: string }).id }));
  await app.ready();
  return app;
}

async function cpuMicrosPerRequest(app: Awaited<ReturnType<typeof server>>): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < PER_ROUND; i++)
    await app.inject({ method: 'GET', url: `/releases/REL-${i % 500}` });
  const used = process.cpuUsage(start);
  return (used.user + used.system) / PER_ROUND;
}

export async function requestMetrics(
  log: (line: string) => void,
): Promise<{ withoutUs: number; withUs: number; overheadUs: number }> {
  const bare = await server(false);
  const measured = await server(true);
  await cpuMicrosPerRequest(bare);
  await cpuMicrosPerRequest(measured);
  const without: number[] = [];
  const withHook: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    without.push(await cpuMicrosPerRequest(bare));
    withHook.push(await cpuMicrosPerRequest(measured));
  }
  await bare.close();
  await measured.close();
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
  const result = {
    withoutUs: median(without),
    withUs: median(withHook),
    overheadUs: median(withHook) - median(without),
  };
  log(
    `  CPU per request (inject, median of ${ROUNDS} × ${PER_ROUND}): without ${result.withoutUs.toFixed(1)} µs, ` +
      `with duration histogram ${result.withUs.toFixed(1)} µs, difference ${result.overheadUs.toFixed(1)} µs`,
  );
  return result;
}
