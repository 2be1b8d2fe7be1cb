/**
 * A normal-mixture sequential probability ratio test (mSPRT) on the mean of a stream of
 * differences, and the confidence sequence it implies (Robbins 1970; Johari et al. 2022,
 * ADR 0300-1). Unlike a fixed-horizon test it may be evaluated after every observation:
 * the chance that it EVER rejects a true "mean is zero" is at most alpha.
 */

export interface MixtureSprtState {
  /** Observations so far. */
  n: number;
  mean: number;
  /** Sample variance (plug-in for the unknown σ²); 0 until two observations. */
  variance: number;
  /** The mixture likelihood ratio against "mean is zero". */
  likelihoodRatio: number;
  /** Confidence sequence for the mean at level 1 − alpha, valid at every n at once. */
  lower: number;
  upper: number;
}

export interface MixtureSprtOptions {
  alpha: number;
  /**
   * Mixture scale τ in units of σ: the effect size (in standard deviations) the test is
   * most sensitive to. 1 suits shifts of about one standard deviation of the differences.
   */
  mixtureScale?: number;
  /** Floor on σ² so a constant stream does not divide by zero. */
  varianceFloor?: number;
}

/** Evaluates the test on the first n differences; pure, so it can be replayed per sample. */
export function mixtureSprt(
  differences: readonly number[],
  options: MixtureSprtOptions,
): MixtureSprtState {
  const n = differences.length;
  const alpha = options.alpha;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError('alpha must lie strictly between 0 and 1');
  if (n === 0)
    return { n, mean: 0, variance: 0, likelihoodRatio: 1, lower: -Infinity, upper: Infinity };
  let mean = 0;
  let m2 = 0;
  differences.forEach((d, i) => {
    // Welford's update: stable for long streams of large values.
    const delta = d - mean;
    mean += delta / (i + 1);
    m2 += delta * (d - mean);
  });
  const variance = n > 1 ? m2 / (n - 1) : 0;
  if (n < 2) return { n, mean, variance, likelihoodRatio: 1, lower: -Infinity, upper: Infinity };
  const floor = options.varianceFloor ?? 1e-12 * Math.max(1, mean * mean);
  const s2 = Math.max(variance, floor);
  const tau2 = (options.mixtureScale ?? 1) ** 2 * s2;
  const spread = s2 + n * tau2;
  const logRatio = 0.5 * Math.log(s2 / spread) + (n * n * tau2 * mean * mean) / (2 * s2 * spread);
  // Λ_n ≥ 1/alpha  ⇔  |mean| ≥ halfWidth: the inverted test is the confidence sequence.
  const halfWidth = Math.sqrt(
    ((2 * s2 * spread) / (n * n * tau2)) * (Math.log(1 / alpha) + 0.5 * Math.log(spread / s2)),
  );
  return {
    n,
    mean,
    variance,
    likelihoodRatio: Math.exp(Math.min(logRatio, 700)),
    lower: mean - halfWidth,
    upper: mean + halfWidth,
  };
}
