/**
 * DORA performance bands, with the thresholds of the 2023 State of DevOps report (the
 * last to publish four bands per key). The thresholds are data so `docs/metrics.md`
 * and the code say the same thing.
 */
export const BANDS = ['elite', 'high', 'medium', 'low'] as const;
export type Band = (typeof BANDS)[number];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Deployment frequency, judged as Four Keys does: "daily" when the median week has
 * deployments on at least 3 days, "weekly" when the median week has one at all,
 * "monthly" when the median month does; each weeks' and months' flag is 0 or 1, so the
 * median is 1 only when more than half of them had a deployment. One busy day does not
 * make a team "on demand". Daily is elite, weekly high, monthly medium, rarer low.
 */
export function deploymentFrequencyBand(f: {
  medianDeployDaysPerWeek: number;
  medianWeekDeployed: number;
  medianMonthDeployed: number;
}): Band {
  if (f.medianDeployDaysPerWeek >= 3) return 'elite';
  if (f.medianWeekDeployed >= 1) return 'high';
  if (f.medianMonthDeployed >= 1) return 'medium';
  return 'low';
}

export const LEAD_TIME_LIMITS = { elite: DAY, high: 7 * DAY, medium: 30 * DAY } as const;
export function leadTimeBand(medianMs: number): Band {
  if (medianMs < LEAD_TIME_LIMITS.elite) return 'elite';
  if (medianMs <= LEAD_TIME_LIMITS.high) return 'high';
  if (medianMs <= LEAD_TIME_LIMITS.medium) return 'medium';
  return 'low';
}

export const CHANGE_FAILURE_LIMITS = { elite: 0.05, high: 0.1, medium: 0.15 } as const;
export function changeFailureBand(rate: number): Band {
  if (rate <= CHANGE_FAILURE_LIMITS.elite) return 'elite';
  if (rate <= CHANGE_FAILURE_LIMITS.high) return 'high';
  if (rate <= CHANGE_FAILURE_LIMITS.medium) return 'medium';
  return 'low';
}

export const RESTORE_LIMITS = { elite: HOUR, high: DAY, medium: 7 * DAY } as const;
export function timeToRestoreBand(medianMs: number): Band {
  if (medianMs < RESTORE_LIMITS.elite) return 'elite';
  if (medianMs < RESTORE_LIMITS.high) return 'high';
  if (medianMs < RESTORE_LIMITS.medium) return 'medium';
  return 'low';
}
