/** Access reviews: the inputs a reviewer sends, and how coarse "last used" is. */
import { Type, type Static } from '@sinclair/typebox';
import { ROLES } from './access.js';
import { ShortText, Slug, StrictObject, StringEnum } from './schema-kit.js';

/**
 * A token's last use is written at most once per this interval per token (and per
 * replica), so authentication stays a read: the report is accurate to within an hour.
 */
export const LAST_USED_GRANULARITY_MS = 3_600_000;
export const LAST_USED_GRANULARITY = 'PT1H';

export const AccessReviewDecisionInput = StrictObject({
  grant: StringEnum(['role', 'token'] as const, { description: 'what is reviewed' }),
  user: Type.Optional(Slug),
  role: Type.Optional(StringEnum(ROLES)),
  tokenId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  decision: StringEnum(['confirm', 'revoke'] as const),
  reason: ShortText,
});
export type AccessReviewDecisionInput = Static<typeof AccessReviewDecisionInput>;

/** The fields a decision on this kind of grant needs, and what is missing. */
export function missingGrantFields(input: AccessReviewDecisionInput): string[] {
  if (input.grant === 'role')
    return [...(input.user ? [] : ['/user']), ...(input.role ? [] : ['/role'])];
  return input.tokenId ? [] : ['/tokenId'];
}
