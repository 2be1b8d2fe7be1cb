/**
 * The control catalogue: which of Gatehouse's records evidence which external control.
 * The controls and the record types are fixed by the product (a mapping may only name
 * them); which records satisfy which control is the organisation's call, so the mapping
 * is a document an admin edits (versioned, audited), starting from the default below.
 */
import { invalid } from '../errors.js';

export interface Control {
  id: string;
  framework: string;
  title: string;
}

export const CONTROLS: readonly Control[] = [
  {
    id: 'SOX-ITGC-CM',
    framework: 'SOX ITGC',
    title: 'Change management: changes are authorised, tested and approved before production',
  },
  {
    id: 'ISO27001-A.8.32',
    framework: 'ISO/IEC 27001:2022 Annex A',
    title: '8.32 Change management',
  },
  {
    id: 'ISO27001-A.8.9',
    framework: 'ISO/IEC 27001:2022 Annex A',
    title: '8.9 Configuration management',
  },
  {
    id: 'ISO27001-A.8.25',
    framework: 'ISO/IEC 27001:2022 Annex A',
    title: '8.25 Secure development life cycle',
  },
  {
    id: 'HIPAA-164.312(b)',
    framework: 'HIPAA Security Rule',
    title: '§164.312(b) Audit controls',
  },
  {
    id: 'SOC2-CC8.1',
    framework: 'SOC 2 (2017 TSC)',
    title: 'CC8.1 Changes are authorised, designed, tested, approved and implemented',
  },
];

/** The kinds of record an evidence package carries, named as its `records/` files are. */
export const RECORD_TYPES = {
  release: 'the release record: title, classification, justification, rollback plan',
  scope: 'the services and versions the release carries',
  transitions: 'every lifecycle move with who made it and why',
  risk: 'the risk assessment: score, factors and the risk register entries',
  'policy-version': 'the policy set version the release is judged by, with its SHA-256',
  'gate-verdicts': 'the gate verdict for each environment under that policy version',
  waivers: 'gate rules waived for the release, with justification and expiry',
  approvals: 'approval decisions with the approver, stage, content hash and time',
  'cab-decisions': 'CAB decisions with the deciding member, rationale, conditions and time',
  'go-no-go': 'Go / No-Go checkpoints with participants and readiness',
  'test-evidence': 'test and coverage reports, as uploaded, with their SHA-256',
  'scan-evidence': 'static analysis and SBOM / vulnerability reports, with their SHA-256',
  security: 'the declared security surface and the pen-test sign-off',
  deployments: 'deployment log: each deployment with status, actor and times',
  rollbacks: 'rollback log: transitions to rolled back and failed deployments',
  incidents: 'incidents linked to the release’s deployments',
  reviews: 'post-release reviews with causes, factors and action items',
  'audit-trail': 'the audit entries of the release, with the hash chain that covers them',
} as const;
export type RecordType = keyof typeof RECORD_TYPES;
export const RECORD_TYPE_NAMES = Object.keys(RECORD_TYPES) as RecordType[];

export interface ControlMapping {
  controls: Array<{ control: string; records: RecordType[] }>;
}

export const DEFAULT_CONTROL_MAPPING: ControlMapping = {
  controls: [
    {
      control: 'SOX-ITGC-CM',
      records: ['release', 'approvals', 'test-evidence', 'deployments', 'audit-trail'],
    },
    {
      control: 'ISO27001-A.8.32',
      records: [
        'release',
        'scope',
        'risk',
        'approvals',
        'cab-decisions',
        'test-evidence',
        'deployments',
        'rollbacks',
      ],
    },
    { control: 'ISO27001-A.8.9', records: ['scope', 'deployments'] },
    {
      control: 'ISO27001-A.8.25',
      records: ['policy-version', 'gate-verdicts', 'test-evidence', 'scan-evidence', 'security'],
    },
    { control: 'HIPAA-164.312(b)', records: ['audit-trail', 'transitions', 'deployments'] },
    {
      control: 'SOC2-CC8.1',
      records: [
        'release',
        'risk',
        'approvals',
        'test-evidence',
        'gate-verdicts',
        'deployments',
        'reviews',
      ],
    },
  ],
};

/** Refuses a mapping that names an unknown control or record type, naming it. */
export interface ControlMappingInput {
  controls: Array<{ control: string; records: readonly string[] }>;
}

export function validateControlMapping(doc: ControlMappingInput): ControlMapping {
  const known = new Set(CONTROLS.map((c) => c.id));
  const seen = new Set<string>();
  doc.controls.forEach((entry, i) => {
    if (!known.has(entry.control))
      throw invalid(
        `/controls/${i}/control`,
        `'${entry.control}' is not a known control (known: ${[...known].join(', ')})`,
        'unknown-control',
      );
    if (seen.has(entry.control))
      throw invalid(`/controls/${i}/control`, `'${entry.control}' is mapped twice`);
    seen.add(entry.control);
    entry.records.forEach((record, j) => {
      if (!(record in RECORD_TYPES))
        throw invalid(
          `/controls/${i}/records/${j}`,
          `'${record}' is not a known record type (known: ${RECORD_TYPE_NAMES.join(', ')})`,
          'unknown-record-type',
        );
    });
  });
  return {
    controls: doc.controls.map((c) => ({ control: c.control, records: c.records as RecordType[] })),
  };
}

export interface ControlCoverage {
  control: string;
  framework: string;
  title: string;
  satisfiedBy: Array<{ record: RecordType; count: number; files: string[] }>;
  missing: RecordType[];
  satisfied: boolean;
}

/** Control by control: which mapped records the package holds and which are missing. */
export function controlCoverage(
  mapping: ControlMapping,
  present: Partial<Record<RecordType, { count: number; files: string[] }>>,
): ControlCoverage[] {
  return mapping.controls.map(({ control, records }) => {
    const meta = CONTROLS.find((c) => c.id === control);
    const satisfiedBy = records
      .filter((r) => (present[r]?.count ?? 0) > 0)
      .map((r) => ({ record: r, count: present[r]!.count, files: present[r]!.files }));
    const missing = records.filter((r) => (present[r]?.count ?? 0) === 0);
    return {
      control,
      framework: meta?.framework ?? '',
      title: meta?.title ?? '',
      satisfiedBy,
      missing,
      satisfied: missing.length === 0,
    };
  });
}
