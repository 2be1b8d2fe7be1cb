/** A release's risk register and the impact × probability heat map over it. */
import { Type, type Static } from '@sinclair/typebox';
import { LongText, ShortText, StrictObject } from '../schema-kit.js';

const Scale = (what: string) =>
  Type.Integer({ minimum: 1, maximum: 5, description: `${what}: 1 (lowest) to 5 (highest)` });

export const RiskEntryInput = StrictObject({
  risk: ShortText,
  impact: Scale('impact'),
  probability: Scale('probability'),
  owner: ShortText,
  mitigation: LongText,
});
export type RiskEntryInput = Static<typeof RiskEntryInput>;

export interface RiskEntry extends RiskEntryInput {
  id: string;
  release: string;
  createdAt: string;
}

export interface HeatMap {
  /** counts[impact - 1][probability - 1] */
  counts: number[][];
  total: number;
}

export function heatMap(
  entries: ReadonlyArray<Pick<RiskEntry, 'impact' | 'probability'>>,
): HeatMap {
  const counts = Array.from({ length: 5 }, () => Array<number>(5).fill(0));
  for (const e of entries) counts[e.impact - 1]![e.probability - 1]! += 1;
  return { counts, total: entries.length };
}
