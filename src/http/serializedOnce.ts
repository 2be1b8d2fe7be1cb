/**
 * The JSON text of answers the read memo hands out again and again (ADR 2500-1): made by
 * the route's own response serializer once per remembered answer, so a repeated read
 * skips serialisation. Keyed by the answer object itself: a new answer is new text.
 */
import type { FastifyReply } from 'fastify';

const texts = new WeakMap<object, string>();

export function serializedOnce(
  reply: FastifyReply,
  answer: object,
  /** What to serialize in place of the answer itself, made only when the text is made. */
  shape?: () => object,
): string {
  let text = texts.get(answer);
  if (text === undefined) {
    // A route with a JSON response schema serializes to text (fast-json-stringify).
    text = String(reply.serialize(shape ? shape() : answer));
    texts.set(answer, text);
  }
  return text;
}

/** Sends JSON text that is already the route's serialized 200 answer. */
export function sendSerialized(reply: FastifyReply, text: string): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(text);
}
