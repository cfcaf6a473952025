import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digamma, lnGamma, logAddExp, logHyp2f1, logSubExp } from './special.js';
import { hessianFromGradient, invert, minimizeBfgs } from './optimize.js';

const close = (got: number, want: number, tol: number, what: string): void => assert.ok(Math.abs(got - want) <= tol, `${what}: got ${got}, want ${want}`);

test('special functions: closed forms', () => {
  const cases: Array<{ description: string; got: number; want: number }> = [
    { description: 'ln Γ(1/2) = ln √π', got: lnGamma(0.5), want: 0.5 * Math.log(Math.PI) },
    { description: 'ln Γ(10) = ln 9!', got: lnGamma(10), want: Math.log(362880) },
    { description: 'ln Γ(0.1)', got: lnGamma(0.1), want: 2.252712651734206 },
    { description: 'ψ(1) = -Euler γ', got: digamma(1), want: -0.5772156649015329 },
    { description: 'ψ(0.5) = -γ - 2 ln 2', got: digamma(0.5), want: -0.5772156649015329 - 2 * Math.LN2 },
    { description: '2F1(1,1;2;z) = -ln(1-z)/z at 0.9', got: Math.exp(logHyp2f1(1, 1, 2, 0.9)), want: -Math.log(0.1) / 0.9 },
    { description: '2F1(a,b;b;z) = (1-z)^-a at a=300, z=0.95 (huge terms)', got: logHyp2f1(300, 2.5, 2.5, 0.95), want: -300 * Math.log(0.05) },
    { description: 'ln(e^1000 + e^1000)', got: logAddExp(1000, 1000), want: 1000 + Math.LN2 },
    { description: 'ln(e^0 - e^-1)', got: logSubExp(0, -1), want: Math.log(1 - Math.exp(-1)) },
  ];
  for (const c of cases) close(c.got, c.want, 1e-12 * Math.max(1, Math.abs(c.want)), c.description);
});

test('BFGS finds the minimum of the Rosenbrock function and its Hessian inverts', () => {
  const f = (v: number[]): { value: number; gradient: number[] } => {
    const [x = 0, y = 0] = v;
    return { value: (1 - x) ** 2 + 100 * (y - x * x) ** 2, gradient: [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)] };
  };
  const m = minimizeBfgs(f, [-1.2, 1]);
  assert.ok(m.converged);
  close(m.x[0] ?? 0, 1, 1e-6, 'x');
  close(m.x[1] ?? 0, 1, 1e-6, 'y');
  const h = hessianFromGradient((v) => f(v).gradient, [1, 1]);
  // Exact Hessian at (1, 1): [[802, -400], [-400, 200]]; its inverse [[0.5, 1], [1, 2.005]].
  const inv = invert(h);
  close(inv?.[0]?.[0] ?? 0, 0.5, 1e-4, 'inverse 0,0');
  close(inv?.[1]?.[1] ?? 0, 2.005, 1e-4, 'inverse 1,1');
});
