/**
 * The words a release is described in: its states, classifications, change types and
 * strategies. Plain lists without a schema, so the CLI can name them without loading
 * TypeBox (most of the CLI's start-up time); `release.ts` builds its schemas on them.
 */
export const RELEASE_STATES = [
  'plan',
  'prepare',
  'test',
  'approve',
  'deploy',
  'verify',
  'closed',
  'no-go',
  'rolled-back',
  'failed',
  'cancelled',
] as const;
export type ReleaseState = (typeof RELEASE_STATES)[number];

export const CLASSIFICATIONS = ['major', 'minor', 'patch', 'emergency'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

/** ITIL change types. */
export const CHANGE_TYPES = ['standard', 'normal', 'emergency'] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

export const STRATEGIES = ['big-bang', 'rolling', 'blue-green', 'canary'] as const;
export type DeploymentStrategy = (typeof STRATEGIES)[number];
