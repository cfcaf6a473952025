/**
 * Quasi-Newton minimisation (BFGS with a backtracking line search under the Armijo condition) of
 * a smooth function of a few unconstrained variables, and the finite-difference Hessian used for
 * standard errors. The models optimise the logarithms of their positive parameters.
 */

/** A function's value and gradient at a point. */
export interface ValueAndGradient {
  value: number;
  gradient: number[];
}

/** Where the minimiser stopped and why. */
export interface Minimum {
  x: number[];
  value: number;
  gradient: number[];
  iterations: number;
  converged: boolean;
}

const dot = (a: readonly number[], b: readonly number[]): number => a.reduce((s, v, i) => s + v * (b[i] ?? 0), 0);

/**
 * Minimises f from x0 with BFGS. Stops when the largest gradient component is below gtol, or
 * after maxIterations. Non-finite values during the line search count as an increase.
 */
export function minimizeBfgs(f: (x: number[]) => ValueAndGradient, x0: readonly number[], gtol = 1e-9, maxIterations = 500): Minimum {
  const n = x0.length;
  let x = [...x0];
  let cur = f(x);
  let h: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  let iterations = 0;
  let stalled = 0;
  for (; iterations < maxIterations; iterations++) {
    if (Math.max(...cur.gradient.map(Math.abs)) < gtol) return { x, value: cur.value, gradient: cur.gradient, iterations, converged: true };
    let d = h.map((row) => -dot(row, cur.gradient));
    let slope = dot(d, cur.gradient);
    if (!(slope < 0)) {
      // Not a descent direction: restart from steepest descent.
      h = h.map((row, i) => row.map((_, j) => (i === j ? 1 : 0)));
      d = cur.gradient.map((g) => -g);
      slope = dot(d, cur.gradient);
    }
    // The decrease the quadratic model predicts is below the rounding noise of the value: done.
    if (-slope < 1e-13 * Math.max(1, Math.abs(cur.value))) return { x, value: cur.value, gradient: cur.gradient, iterations, converged: true };
    let step = 1;
    let next: ValueAndGradient | null = null;
    let xn = x;
    for (let k = 0; k < 30; k++) {
      xn = x.map((v, i) => v + step * (d[i] ?? 0));
      const trial = f(xn);
      if (Number.isFinite(trial.value) && trial.value <= cur.value + 1e-4 * step * slope && trial.gradient.every(Number.isFinite)) {
        next = trial;
        break;
      }
      step *= 0.5;
      // Steps this small only probe the rounding noise of the value.
      if (step * Math.max(...d.map(Math.abs)) < 1e-9) break;
    }
    if (next === null) return { x, value: cur.value, gradient: cur.gradient, iterations, converged: Math.max(...cur.gradient.map(Math.abs)) < 1e-5 };
    const s = xn.map((v, i) => v - (x[i] ?? 0));
    const y = next.gradient.map((g, i) => g - (cur.gradient[i] ?? 0));
    const sy = dot(s, y);
    if (sy > 1e-12) {
      // Before the first update, scale the identity to the curvature seen along the step
      // (Nocedal & Wright, eq. 6.20), so the next steps need few backtracks.
      if (iterations === 0) {
        const scale = sy / dot(y, y);
        h = h.map((row) => row.map((v) => v * scale));
      }
      const hy = h.map((row) => dot(row, y));
      const yhy = dot(y, hy);
      h = h.map((row, i) => row.map((v, j) => v + ((sy + yhy) * (s[i] ?? 0) * (s[j] ?? 0)) / (sy * sy) - ((hy[i] ?? 0) * (s[j] ?? 0) + (s[i] ?? 0) * (hy[j] ?? 0)) / sy));
    }
    // At the optimum the rounding of a sum over many members stops the value from moving (and
    // makes the gradient noisy) before the gradient meets gtol.
    stalled = Math.abs(cur.value - next.value) <= 1e-10 * Math.max(1, Math.abs(cur.value)) ? stalled + 1 : 0;
    x = xn;
    cur = next;
    if (stalled >= 2) return { x, value: cur.value, gradient: cur.gradient, iterations, converged: Math.max(...cur.gradient.map(Math.abs)) < 1e-6 };
  }
  return { x, value: cur.value, gradient: cur.gradient, iterations, converged: Math.max(...cur.gradient.map(Math.abs)) < gtol };
}

/** Central-difference Hessian of a function whose gradient is known, symmetrised. */
export function hessianFromGradient(grad: (x: number[]) => number[], x: readonly number[]): number[][] {
  const n = x.length;
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const h = 1e-5 * Math.max(1, Math.abs(x[i] ?? 0));
    const up = grad(x.map((v, k) => (k === i ? v + h : v)));
    const down = grad(x.map((v, k) => (k === i ? v - h : v)));
    rows.push(up.map((u, j) => (u - (down[j] ?? 0)) / (2 * h)));
  }
  return rows.map((row, i) => row.map((v, j) => (v + (rows[j]?.[i] ?? v)) / 2));
}

/** Central-difference gradient of f (for likelihoods without an analytic gradient). */
export function numericGradient(f: (x: number[]) => number, x: readonly number[]): number[] {
  return x.map((v, i) => {
    const h = 1e-6 * Math.max(1, Math.abs(v));
    const up = f(x.map((w, k) => (k === i ? w + h : w)));
    const down = f(x.map((w, k) => (k === i ? w - h : w)));
    return (up - down) / (2 * h);
  });
}

/** Inverse of a small symmetric positive definite matrix (Gauss-Jordan); null when singular. */
export function invert(m: readonly number[][]): number[][] | null {
  const n = m.length;
  const a = m.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]?.[c] ?? 0) > Math.abs(a[p]?.[c] ?? 0)) p = r;
    const pivotRow = a[p];
    const cRow = a[c];
    if (pivotRow === undefined || cRow === undefined) return null;
    const pivot = pivotRow[c] ?? 0;
    if (Math.abs(pivot) < 1e-300) return null;
    a[p] = cRow;
    a[c] = pivotRow.map((v) => v / pivot);
    const norm = a[c] ?? [];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const row = a[r] ?? [];
      const factor = row[c] ?? 0;
      a[r] = row.map((v, j) => v - factor * (norm[j] ?? 0));
    }
  }
  return a.map((row) => row.slice(n));
}

/** Standard errors: square roots of the diagonal of the inverse Hessian of -LL (NaN if singular). */
export function standardErrors(hessianOfNegLl: readonly number[][]): number[] {
  const inv = invert(hessianOfNegLl);
  return hessianOfNegLl.map((_, i) => {
    const v = inv?.[i]?.[i];
    return v !== undefined && v > 0 ? Math.sqrt(v) : Number.NaN;
  });
}
