/** The catalog: teams, services with their dependencies, environments and regions. */
import { Type, type Static } from '@sinclair/typebox';
import { LongText, ShortText, Slug, StrictObject, StringEnum } from './schema-kit.js';

export const DATA_SENSITIVITIES = ['public', 'internal', 'confidential', 'restricted'] as const;
export type DataSensitivity = (typeof DATA_SENSITIVITIES)[number];

export const TeamInput = StrictObject({
  name: Slug,
  displayName: Type.Optional(ShortText),
  timeZone: Type.Optional(
    Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Europe/Berlin' }),
  ),
});
export type TeamInput = Static<typeof TeamInput>;

export const Slo = StrictObject({
  name: ShortText,
  objective: Type.String({
    minLength: 1,
    maxLength: 500,
    description: 'what is measured, e.g. "p95 latency < 300 ms"',
  }),
  target: Type.Number({
    exclusiveMinimum: 0,
    maximum: 100,
    description: 'percentage of good events, e.g. 99.9',
  }),
});
export type Slo = Static<typeof Slo>;

export const ServiceInput = StrictObject({
  name: Slug,
  team: Slug,
  tier: Type.Integer({ minimum: 1, maximum: 4, description: '1 is the most critical' }),
  customerFacing: Type.Boolean(),
  dataSensitivity: StringEnum(DATA_SENSITIVITIES),
  description: Type.Optional(LongText),
  slos: Type.Optional(Type.Array(Slo, { maxItems: 50 })),
  dependsOn: Type.Optional(Type.Array(Slug, { maxItems: 200, uniqueItems: true })),
});
export type ServiceInput = Static<typeof ServiceInput>;

export const EnvironmentInput = StrictObject({
  name: Slug,
  displayName: Type.Optional(ShortText),
  /** Position on the promotion path, 1 first. */
  position: Type.Integer({ minimum: 1, maximum: 100 }),
  production: Type.Optional(Type.Boolean()),
  regions: Type.Optional(Type.Array(Slug, { maxItems: 100, uniqueItems: true })),
  /** How many releases may be deployed into it at once; absent means no limit. */
  capacity: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
});
export type EnvironmentInput = Static<typeof EnvironmentInput>;

export const CatalogDocument = StrictObject({
  teams: Type.Optional(Type.Array(TeamInput, { maxItems: 1000 })),
  services: Type.Optional(Type.Array(ServiceInput, { maxItems: 10000 })),
  environments: Type.Optional(Type.Array(EnvironmentInput, { maxItems: 100 })),
});
export type CatalogDocument = Static<typeof CatalogDocument>;

/** The promotion path every organisation starts with (SIT → UAT → Pre-Prod → Prod). */
export const DEFAULT_ENVIRONMENTS: EnvironmentInput[] = [
  { name: 'sit', displayName: 'SIT', position: 1, production: false, regions: ['eu-west'] },
  { name: 'uat', displayName: 'UAT', position: 2, production: false, regions: ['eu-west'] },
  {
    name: 'pre-prod',
    displayName: 'Pre-Prod',
    position: 3,
    production: false,
    regions: ['eu-west'],
  },
  {
    name: 'prod',
    displayName: 'Prod',
    position: 4,
    production: true,
    regions: ['eu-west', 'us-east'],
  },
];
