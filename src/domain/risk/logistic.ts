/**
 * L2-regularised logistic regression fitted by Newton's method (iteratively reweighted
 * least squares). The organisation's failure model has a dozen features, so the d × d
 * Newton system is tiny and solved directly; a numerical library would add weight for
 * no gain here (ADR 0200-2). Features are standardised so one penalty fits all.
 */
export interface LogisticModel {
  intercept: number;
  /** Coefficients on the original (unstandardised) features. */
  coefficients: number[];
  iterations: number;
}

export interface FitOptions {
  /** L2 penalty on the standardised coefficients (not the intercept). */
  l2?: number;
  maxIterations?: number;
  tolerance?: number;
}

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** Solves A x = b for a symmetric positive-definite A by Cholesky decomposition. */
export function solveSymmetric(a: number[][], b: number[]): number[] {
  const n = b.length;
  const l = Array.from({ length: n }, () => Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i]![j]!;
      for (let k = 0; k < j; k++) sum -= l[i]![k]! * l[j]![k]!;
      if (i === j) {
        if (sum <= 0) throw new Error('matrix is not positive definite');
        l[i]![i] = Math.sqrt(sum);
      } else l[i]![j] = sum / l[j]![j]!;
    }
  }
  const y = Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[i]![k]! * y[k]!;
    y[i] = sum / l[i]![i]!;
  }
  const x = Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i]!;
    for (let k = i + 1; k < n; k++) sum -= l[k]![i]! * x[k]!;
    x[i] = sum / l[i]![i]!;
  }
  return x;
}

export function fitLogistic(
  rows: readonly number[][],
  outcomes: readonly number[],
  options: FitOptions = {},
): LogisticModel {
  const l2 = options.l2 ?? 1;
  const maxIterations = options.maxIterations ?? 50;
  const tolerance = options.tolerance ?? 1e-8;
  const n = rows.length;
  if (n === 0) throw new Error('no rows to fit');
  const d = rows[0]!.length;
  const mean = Array<number>(d).fill(0);
  const scale = Array<number>(d).fill(0);
  for (const row of rows) for (let j = 0; j < d; j++) mean[j]! += row[j]! / n;
  for (const row of rows) for (let j = 0; j < d; j++) scale[j]! += (row[j]! - mean[j]!) ** 2 / n;
  for (let j = 0; j < d; j++) scale[j] = Math.sqrt(scale[j]!) || 1;
  // Standardised design with a leading 1 for the intercept.
  const x = rows.map((row) => [1, ...row.map((v, j) => (v - mean[j]!) / scale[j]!)]);
  const p = d + 1;
  let beta = Array<number>(p).fill(0);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const gradient = Array<number>(p).fill(0);
    const hessian = Array.from({ length: p }, () => Array<number>(p).fill(0));
    for (let i = 0; i < n; i++) {
      const xi = x[i]!;
      let z = 0;
      for (let j = 0; j < p; j++) z += beta[j]! * xi[j]!;
      const mu = sigmoid(z);
      const w = Math.max(mu * (1 - mu), 1e-12);
      const residual = outcomes[i]! - mu;
      for (let j = 0; j < p; j++) {
        gradient[j]! += residual * xi[j]!;
        const wx = w * xi[j]!;
        for (let k = 0; k <= j; k++) hessian[j]![k]! += wx * xi[k]!;
      }
    }
    for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) hessian[k]![j] = hessian[j]![k]!;
    for (let j = 1; j < p; j++) {
      gradient[j]! -= l2 * beta[j]!;
      hessian[j]![j]! += l2;
    }
    hessian[0]![0]! += 1e-9;
    const step = solveSymmetric(hessian, gradient);
    beta = beta.map((b, j) => b + step[j]!);
    if (Math.max(...step.map(Math.abs)) < tolerance) {
      iterations++;
      break;
    }
  }
  const coefficients = beta.slice(1).map((b, j) => b / scale[j]!);
  const intercept = beta[0]! - coefficients.reduce((sum, c, j) => sum + c * mean[j]!, 0);
  return { intercept, coefficients, iterations };
}

export function predict(model: LogisticModel, row: readonly number[]): number {
  let z = model.intercept;
  for (let j = 0; j < row.length; j++) z += model.coefficients[j]! * row[j]!;
  return sigmoid(z);
}
