/** How well predicted probabilities match what happened: Brier score and reliability. */
export function brierScore(predicted: readonly number[], outcomes: readonly number[]): number {
  if (predicted.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < predicted.length; i++) sum += (predicted[i]! - outcomes[i]!) ** 2;
  return sum / predicted.length;
}

export interface ReliabilityBin {
  from: number;
  to: number;
  count: number;
  meanPredicted: number | null;
  observedRate: number | null;
}

/** Predictions grouped into equal-width bins, each with its mean prediction and observed rate. */
export function reliabilityTable(
  predicted: readonly number[],
  outcomes: readonly number[],
  bins = 10,
): ReliabilityBin[] {
  const table = Array.from({ length: bins }, (_, i) => ({
    from: i / bins,
    to: (i + 1) / bins,
    count: 0,
    sumPredicted: 0,
    sumObserved: 0,
  }));
  predicted.forEach((p, i) => {
    const bin = table[Math.min(bins - 1, Math.floor(p * bins))]!;
    bin.count++;
    bin.sumPredicted += p;
    bin.sumObserved += outcomes[i]!;
  });
  const round = (n: number) => Math.round(n * 10000) / 10000;
  return table.map((b) => ({
    from: b.from,
    to: b.to,
    count: b.count,
    meanPredicted: b.count ? round(b.sumPredicted / b.count) : null,
    observedRate: b.count ? round(b.sumObserved / b.count) : null,
  }));
}
