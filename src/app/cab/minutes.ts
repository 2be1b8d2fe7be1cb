/** A sitting's minutes as Markdown, from its agenda and the decisions taken at it. */
import { renderMinutes } from '../../domain/cab/minutes.js';
import type { Ctx } from '../context.js';
import { buildAgenda } from './agenda.js';

export async function meetingMinutes(ctx: Ctx, meetingName: string, at?: string): Promise<string> {
  const agenda = await buildAgenda(ctx, meetingName, at);
  return renderMinutes({ ...agenda, generatedAt: ctx.now.toISOString() });
}
