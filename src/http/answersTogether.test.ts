import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import Fastify, { type FastifyReply } from 'fastify';
import { sendAnswersTogether } from './answersTogether.js';

const server = Fastify();
sendAnswersTogether(server);
let base = '';

/** The first of a pair waits here until the second arrives and answers both. */
let first: FastifyReply | null = null;
const leftAtOnce: boolean[] = [];
server.get('/pair/:n', (request, reply) => {
  const { n } = request.params as { n: string };
  if (!first) {
    first = reply;
    return reply;
  }
  const waiting = first;
  first = null;
  void waiting.send({ n: 'first' });
  void reply.send({ n });
  // Both answers were made in this callback; neither has been written yet.
  leftAtOnce.push(waiting.raw.headersSent, reply.raw.headersSent);
  setImmediate(() => leftAtOnce.push(waiting.raw.writableEnded, reply.raw.writableEnded));
  return reply;
});
server.get('/echo/:n', async (request) => ({ n: (request.params as { n: string }).n }));

before(async () => {
  await server.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
});
after(() => server.close());

test('answers made in one turn are held until its end, then all leave', async () => {
  const firstAnswer = fetch(`${base}/pair/1`);
  // Let the first request reach its handler before the second is sent.
  while (!first) await new Promise((resolve) => setTimeout(resolve, 5));
  const secondAnswer = await fetch(`${base}/pair/2`);
  assert.deepEqual(await (await firstAnswer).json(), { n: 'first' });
  assert.deepEqual(await secondAnswer.json(), { n: '2' });
  // Not written inside the handler's callback; both ended by the check phase of its turn.
  assert.deepEqual(leftAtOnce, [false, false, true, true]);
});

test('many answers at once: each reaches its own caller, refusals too', async () => {
  const answers = await Promise.all(
    Array.from({ length: 100 }, async (_, i) => {
      const response = await fetch(`${base}/echo/${i}`);
      return [response.status, await response.json()] as const;
    }),
  );
  assert.deepEqual(
    answers,
    Array.from({ length: 100 }, (_, i) => [200, { n: String(i) }]),
  );
  const missing = await fetch(`${base}/nowhere`);
  assert.equal(missing.status, 404);
  assert.equal(((await missing.json()) as { statusCode: number }).statusCode, 404);
});
