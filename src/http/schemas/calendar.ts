import { Type } from '@sinclair/typebox';
import { CONFLICT_KINDS } from '../../domain/calendar/conflicts.js';
import { WINDOW_KINDS } from '../../domain/calendar/window.js';
import { Nullable } from './common.js';

export const WindowSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.String({ enum: [...WINDOW_KINDS] }),
  timeZone: Type.String(),
  start: Type.String({ description: 'local wall-clock time in timeZone' }),
  end: Type.String({ description: 'local wall-clock time in timeZone' }),
  rrule: Nullable(Type.String()),
  scope: Type.Object({
    region: Type.Optional(Type.String()),
    tier: Type.Optional(Type.Integer()),
    services: Type.Optional(Type.Array(Type.String())),
  }),
  environments: Type.Array(Type.String()),
  capacity: Nullable(Type.Integer()),
  description: Type.String(),
});

const WindowInForce = Type.Object({
  window: Type.String(),
  kind: Type.String(),
  timeZone: Type.String(),
  start: Type.String(),
  end: Type.String(),
  description: Type.String(),
});

export const FreezeExceptionSchema = Type.Object({
  id: Type.String(),
  window: Type.String(),
  release: Type.String(),
  reason: Type.String(),
  approvedBy: Type.String(),
  approvedAt: Type.String(),
});

export const FreezeDecisionSchema = Type.Object({
  allowed: Type.Boolean(),
  at: Type.String(),
  forbiddenBy: Type.Array(WindowInForce),
  allowedFrom: Nullable(Type.String()),
  passedByException: Type.Array(
    Type.Intersect([WindowInForce, Type.Object({ exception: FreezeExceptionSchema })]),
  ),
  inWindows: Type.Array(WindowInForce),
});

export const ConflictSchema = Type.Object({
  kind: Type.String({ enum: [...CONFLICT_KINDS] }),
  releases: Type.Array(Type.String()),
  reason: Type.String(),
  from: Type.String(),
  to: Type.String(),
  services: Type.Optional(Type.Array(Type.String())),
  environment: Type.Optional(Type.String()),
  window: Type.Optional(Type.String()),
});
