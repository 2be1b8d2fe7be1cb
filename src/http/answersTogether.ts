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
import type { FastifyInstance, FastifyReply } from 'fastify';

interface Held {
  reply: FastifyReply;
  payload: unknown;
  /** The rest of the answer's `onSend` chain, then its write. */
  done: (error: Error | null, payload?: unknown) => void;
}

export function sendAnswersTogether(server: FastifyInstance): void {
  let held: Held[] = [];
  const sendAll = () => {
    const answers = held;
    held = [];
    for (const answer of answers) send(answer);
  };
  server.addHook('onSend', (_request, reply, payload, done) => {
    // The check phase: after every I/O callback of this turn.
    if (held.length === 0) setImmediate(sendAll);
    held.push({ reply, payload, done });
  });
}

/**
 * Sends one held answer. Had it not been held, a throw while writing it would have been
 * caught by Fastify's hook runner and answered through the error handler; here it is
 * handed to that same path, and never stops the answers after it.
 */
function send({ reply, payload, done }: Held): void {
  try {
    done(null, payload);
  } catch (error) {
    try {
      done(error as Error);
    } catch (again) {
      reply.log.error({ err: again }, 'an answer could not be written');
      reply.raw.destroy();
    }
  }
}
