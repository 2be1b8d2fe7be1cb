import assert from 'node:assert/strict';
import { connect, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { sendAnswersTogether } from './answersTogether.js';

/**
 * A server whose `/pair/:n` holds the first request until a second arrives, then answers
 * both in the second's callback: two answers made in one turn, whatever the timing.
 */
async function pairServer(before?: (server: FastifyInstance) => void) {
  // A stranded answer (the failure these tests look for) must not hold up closing.
  const server = Fastify({ forceCloseConnections: true });
  before?.(server);
  sendAnswersTogether(server);
  let first: FastifyReply | null = null;
  const written: boolean[] = [];
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
    written.push(waiting.raw.headersSent, reply.raw.headersSent);
    setImmediate(() => written.push(waiting.raw.writableEnded, reply.raw.writableEnded));
    return reply;
  });
  server.get('/echo/:n', async (request) => ({ n: (request.params as { n: string }).n }));
  await server.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  return {
    server,
    base,
    written,
    /** Whether a request is waiting for its pair. */
    waiting: () => first !== null,
    /** The two answers of a pair, the first asked before the second. */
    async pair(second: string) {
      const firstAnswer = fetch(`${base}/pair/1`);
      while (!first) await new Promise((resolve) => setTimeout(resolve, 5));
      const secondAnswer = await fetch(`${base}/pair/${second}`);
      return [await firstAnswer, secondAnswer] as const;
    },
  };
}

test('answers made in one turn are held until its end, then all leave', async (t) => {
  const { server, written, pair } = await pairServer();
  t.after(() => server.close());
  const [first, second] = await pair('2');
  assert.deepEqual(await first.json(), { n: 'first' });
  assert.deepEqual(await second.json(), { n: '2' });
  // Not written inside the callback that made them; both ended by its turn's check phase.
  assert.deepEqual(written, [false, false, true, true]);
});

test('many answers at once: each reaches its own caller, refusals too', async (t) => {
  const { server, base } = await pairServer();
  t.after(() => server.close());
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

test(
  'an answer that cannot be written gets the error handler; the rest of its turn still leaves',
  { timeout: 10_000 },
  async (t) => {
    const { server, base, pair } = await pairServer((server) =>
      // Before the hold, so the refused payload first meets the write once it is held.
      server.addHook('onSend', (request, reply, payload, done) =>
        done(null, request.url === '/pair/bad' && reply.statusCode === 200 ? 42 : payload),
      ),
    );
    t.after(() => server.close());
    const [first, bad] = await pair('bad');
    // What Fastify answers when such a write fails unheld: a 500 from the error handler.
    assert.equal(bad.status, 500);
    assert.equal(((await bad.json()) as { code: string }).code, 'FST_ERR_REP_INVALID_PAYLOAD_TYPE');
    assert.deepEqual(await first.json(), { n: 'first' });
    assert.deepEqual(await (await fetch(`${base}/echo/7`)).json(), { n: '7' });
  },
);

test(
  'an answer made for a caller who has hung up does not hold up the rest of its turn',
  { timeout: 10_000 },
  async (t) => {
    const { server, base, waiting } = await pairServer();
    t.after(() => server.close());
    const { port } = new URL(base);
    const socket = connect(Number(port), '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write('GET /pair/1 HTTP/1.1\r\nhost: localhost\r\n\r\n');
    while (!waiting()) await new Promise((resolve) => setTimeout(resolve, 5));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.destroy();
    await closed;
    // The pair's first answer is now made and held for a caller who is gone.
    const second = await fetch(`${base}/pair/2`);
    assert.equal(second.status, 200);
    assert.deepEqual(await second.json(), { n: '2' });
    assert.deepEqual(await (await fetch(`${base}/echo/8`)).json(), { n: '8' });
  },
);
