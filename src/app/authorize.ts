import { can, PERMISSIONS, rolesWith, type Permission } from '../domain/access.js';
import { GatehouseError } from '../domain/errors.js';
import type { Actor } from './context.js';

/** Refuses, saying which permission is missing and which roles would grant it. */
export function authorize(actor: Actor, permission: Permission): void {
  if (can(actor.roles, permission)) return;
  const needed = rolesWith(permission);
  throw new GatehouseError(
    'forbidden',
    'forbidden',
    `${actor.name} may not ${PERMISSIONS[permission]}: that needs the role ${needed.join(' or ')}; ` +
      `${actor.name} has ${actor.roles.length ? actor.roles.join(', ') : 'no role'}`,
    { extra: { permission, requiredRoles: needed, actorRoles: actor.roles } },
  );
}
