import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { prometheusSource } from './prometheus.js';

const request = {
  query: 'up',
  start: new Date('2026-11-23T10:00:00Z'),
  end: new Date('2026-11-23T11:00:00Z'),
  stepSeconds: 60,
};

describe('the Prometheus client when Prometheus misbehaves', () => {
  let silent: Server;
  const sockets = new Set<Socket>();
  let port = 0;
  before(async () => {
    // Accepts connections and never answers.
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    port = (silent.address() as { port: number }).port;
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  test('a Prometheus that does not answer in time is a reason, not a hang', async () => {
    const result = await prometheusSource(`http://127.0.0.1:${port}`, {
      timeoutMs: 200,
    }).queryRange(request);
    assert.deepEqual(result, { ok: false, reason: 'Prometheus did not answer within 200 ms' });
  });

  test('an unreachable Prometheus says so', async () => {
    // A port that was just free and is now closed.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const free = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await prometheusSource(`http://127.0.0.1:${free}`).queryRange(request);
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.reason : '', /could not be reached: .*ECONNREFUSED/);
  });

  test('a range beyond what Prometheus answers is refused before asking', async () => {
    const result = await prometheusSource('http://127.0.0.1:1').queryRange({
      ...request,
      end: new Date('2026-12-23T11:00:00Z'),
      stepSeconds: 1,
    });
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.reason : '', /Prometheus answers at most 11000/);
  });
});
