/**
 * Answers made in one turn of the event loop leave together at its end (ADR 3300-1).
 *
 * Node writes each answer in its own system call inside `res.end`. On loopback or a
 * virtual machine's network that call also wakes the reader, and under load the kernel's
 * share of it was most of a remembered answer's cost. Holding each answer's last step
 * (its `onSend`) until the turn's I/O callbacks have all run turns the turn's answers
 * into one burst: the same bytes and system calls per socket, but readers are woken once
 * per burst, not once per answer. An answer waits at most for the rest of its turn.
 * (Corking the socket cannot do this: `res.end` uncorks it fully.)
 */
import type { FastifyInstance } from 'fastify';

export function sendAnswersTogether(server: FastifyInstance): void {
  let waiting: Array<() => void> = [];
  const sendAll = () => {
    const answers = waiting;
    waiting = [];
    for (const send of answers) send();
  };
  server.addHook('onSend', (_request, _reply, payload, done) => {
    // The check phase: after every I/O callback of this turn.
    if (waiting.length === 0) setImmediate(sendAll);
    waiting.push(() => done(null, payload));
  });
}
