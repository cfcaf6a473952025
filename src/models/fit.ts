/**
 * Maximum-likelihood fits of the three models: each optimises the logarithms of its positive
 * parameters with BFGS, then reports the parameters, their standard errors (from the Hessian of
 * the log-likelihood in the original parameters) and the log-likelihood at the optimum.
 */
import { bgnbdLogLikelihood, type BgnbdParams } from './bgnbd.js';
import { gammaGammaLogLikelihood, spendLogs, type GammaGammaParams } from './gammagamma.js';
import { membersIn, repeatersIn, type Histories, type Spends } from './histories.js';
import { hessianFromGradient, minimizeBfgs, numericGradient, standardErrors } from './optimize.js';
import { paretoNbdLogLikelihood, type ParetoNbdParams } from './paretonbd.js';
import type { ModelFit } from './schema.js';

/** The models Regulars fits. */
export type ModelName = 'bgnbd' | 'paretonbd' | 'gammagamma';
export const MODEL_NAMES: readonly ModelName[] = ['bgnbd', 'paretonbd', 'gammagamma'];

const NAMES: Record<ModelName, readonly string[]> = {
  bgnbd: ['r', 'alpha', 'a', 'b'],
  paretonbd: ['r', 'alpha', 's', 'beta'],
  gammagamma: ['p', 'q', 'gamma'],
};

const named = (model: ModelName, v: readonly number[]): Record<string, number> => Object.fromEntries(NAMES[model].map((k, i) => [k, v[i] ?? Number.NaN]));
const errors = (model: ModelName, v: readonly number[]): Record<string, number | null> => Object.fromEntries(NAMES[model].map((k, i) => [k, Number.isFinite(v[i]) ? (v[i] ?? null) : null]));

const bg = (v: readonly number[]): BgnbdParams => ({ r: v[0] ?? 1, alpha: v[1] ?? 1, a: v[2] ?? 1, b: v[3] ?? 1 });
const pn = (v: readonly number[]): ParetoNbdParams => ({ r: v[0] ?? 1, alpha: v[1] ?? 1, s: v[2] ?? 1, beta: v[3] ?? 1 });
const gg = (v: readonly number[]): GammaGammaParams => ({ p: v[0] ?? 1, q: v[1] ?? 1, gamma: v[2] ?? 1 });

/**
 * Maximises a log-likelihood given with its gradient in the original parameters, over the logs
 * of the parameters (the chain rule multiplies each gradient component by its parameter).
 */
function fitLogParams(ll: (v: number[]) => { value: number; gradient: number[] }, start: readonly number[], scale: number, gtol = 1e-9) {
  const objective = (theta: number[]): { value: number; gradient: number[] } => {
    const v = theta.map(Math.exp);
    const r = ll(v);
    return { value: -r.value / scale, gradient: r.gradient.map((g, i) => (-g * (v[i] ?? 0)) / scale) };
  };
  const m = minimizeBfgs(objective, start.map(Math.log), gtol);
  const v = m.x.map(Math.exp);
  const hessian = hessianFromGradient((q) => ll(q).gradient.map((g) => -g), v);
  return { v, ll: -m.value * scale, se: standardErrors(hessian), iterations: m.iterations, converged: m.converged };
}

/** Fits BG/NBD to calibration histories (start: all parameters 1). */
export function fitBgnbd(h: Histories): ModelFit {
  const n = Math.max(1, membersIn(h));
  const f = fitLogParams((v) => bgnbdLogLikelihood(bg(v), h), [1, 1, 1, 1], n);
  return {
    model: 'bgnbd',
    params: named('bgnbd', f.v),
    standard_errors: errors('bgnbd', f.se),
    log_likelihood: f.ll,
    customers: membersIn(h),
    repeaters: repeatersIn(h),
    iterations: f.iterations,
    converged: f.converged,
  };
}

/** Fits Pareto/NBD to calibration histories (numerical gradient; start: all parameters 1). */
export function fitParetoNbd(h: Histories): ModelFit {
  const n = Math.max(1, membersIn(h));
  const value = (v: number[]): number => paretoNbdLogLikelihood(pn(v), h);
  // A difference quotient is good to about 1e-7 of the per-member log-likelihood: stop there.
  const f = fitLogParams((v) => ({ value: value(v), gradient: numericGradient(value, v) }), [1, 1, 1, 1], n, 1e-7);
  return {
    model: 'paretonbd',
    params: named('paretonbd', f.v),
    standard_errors: errors('paretonbd', f.se),
    log_likelihood: f.ll,
    customers: membersIn(h),
    repeaters: repeatersIn(h),
    iterations: f.iterations,
    converged: f.converged,
  };
}

/** Fits Gamma-Gamma to repeaters' mean repeat-occasion values (start: all parameters 1). */
export function fitGammaGamma(d: Spends, customers: number): ModelFit {
  const n = Math.max(1, d.x.length);
  const logs = spendLogs(d);
  const f = fitLogParams((v) => gammaGammaLogLikelihood(gg(v), d, logs), [1, 1, 1], n);
  return {
    model: 'gammagamma',
    params: named('gammagamma', f.v),
    standard_errors: errors('gammagamma', f.se),
    log_likelihood: f.ll,
    customers,
    repeaters: d.x.length,
    iterations: f.iterations,
    converged: f.converged,
  };
}

/** The BG/NBD parameters of a fit (throws on a fit of another model: a bug). */
export function bgnbdParams(fit: ModelFit): BgnbdParams {
  if (fit.model !== 'bgnbd') throw new Error(`expected a bgnbd fit, got ${fit.model}`);
  return bg(NAMES.bgnbd.map((k) => fit.params[k] ?? Number.NaN));
}

/** The Pareto/NBD parameters of a fit. */
export function paretoNbdParams(fit: ModelFit): ParetoNbdParams {
  if (fit.model !== 'paretonbd') throw new Error(`expected a paretonbd fit, got ${fit.model}`);
  return pn(NAMES.paretonbd.map((k) => fit.params[k] ?? Number.NaN));
}

/** The Gamma-Gamma parameters of a fit. */
export function gammaGammaParams(fit: ModelFit): GammaGammaParams {
  if (fit.model !== 'gammagamma') throw new Error(`expected a gammagamma fit, got ${fit.model}`);
  return gg(NAMES.gammagamma.map((k) => fit.params[k] ?? Number.NaN));
}
