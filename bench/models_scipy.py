"""scipy rival for bench/models.js: the same summary data, vectorised numpy likelihoods with
analytic gradients, scipy's BFGS on the log parameters (the product's optimiser family, same
start and tolerance), scipy.special.hyp2f1 for the conditional expectations, then every member's
spend and CLV with numpy; terms that depend on x only are computed once per distinct x, the
Gamma-Gamma likelihood sums its per-row terms per distinct x and the logs of the mean spends once, as in the product; the expectations of a member alive at T are computed once per
distinct (x, T), as the product does. Prints one JSON document with timings and results.
    python3 bench/models_scipy.py DIR N_HISTORIES N_REPEATERS N_MEMBERS
"""
import json
import sys
import time

import numpy as np
import scipy
from scipy.optimize import minimize
from scipy.special import gammaln, hyp2f1, psi

d, nh, nr, nm = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
hist = np.fromfile(f"{d}/hist.bin", dtype=np.float64).reshape(4, nh)
x, tx, T, w = hist
sp = np.fromfile(f"{d}/spend.bin", dtype=np.float64).reshape(2, nr)
gx, gm = sp
mem = np.fromfile(f"{d}/members.bin", dtype=np.float64).reshape(2, nm)
midx, mmean = mem[0].astype(np.int64), mem[1]
n = w.sum()
rep = x > 0


# As in the product, terms that depend on x only are computed once per distinct x.
xu, xi = np.unique(x, return_inverse=True)
gxu, gxi = np.unique(gx, return_inverse=True)
ln_gm = np.log(gm)


def bg_negll(theta):
    r, alpha, a, b = np.exp(theta)
    lnAT = np.log(alpha + T)
    lnATx = np.log(alpha + tx)
    a3 = -(r + x) * lnAT
    a4 = np.where(rep, np.log(a) - np.log(np.where(rep, b + x - 1, 1.0)) - (r + x) * lnATx, -np.inf)
    mix = np.logaddexp(a3, a4)
    w4 = np.exp(a4 - mix)
    w3 = 1 - w4
    psi_abx = psi(a + b + xu)
    x_term = (gammaln(r + xu) + gammaln(b + xu) - gammaln(a + b + xu))[xi]
    x_gr = (psi(r + xu) - psi(r) + np.log(alpha))[xi]
    x_ga = (psi(a + b) - psi_abx)[xi]
    x_gb = (psi(a + b) + psi(b + xu) - psi(b) - psi_abx)[xi]
    ll = -gammaln(r) + r * np.log(alpha) + gammaln(a + b) - gammaln(b) + x_term + mix
    gr = x_gr - w3 * lnAT - w4 * lnATx
    galpha = r / alpha - (r + x) * (w3 / (alpha + T) + w4 / (alpha + tx))
    ga = x_ga + w4 / a
    gb = x_gb - np.where(rep, w4 / np.where(rep, b + x - 1, 1.0), 0.0)
    grad = np.array([(w * gr).sum() * r, (w * galpha).sum() * alpha, (w * ga).sum() * a, (w * gb).sum() * b])
    return -(w * ll).sum() / n, -grad / n


# As in the product, Gamma-Gamma rows with the same x share every term but ln(gamma + m x) and
# 1/(gamma + m x): those two are summed per distinct x (np.bincount), the rest added once per x,
# and the sums of ln(m) per x are computed once.
gc = np.bincount(gxi).astype(np.float64)
sum_ln_gm = np.bincount(gxi, weights=ln_gm)
ln_gxu = np.log(gxu)


def gg_negll(theta):
    p, q, g = np.exp(theta)
    px = p * gxu
    den = g + gm * gx
    s_lnden = np.bincount(gxi, weights=np.log(den), minlength=len(gxu))
    s_inv = np.bincount(gxi, weights=1 / den, minlength=len(gxu))
    psi_sum = psi(px + q)
    ll = gc * (-gammaln(q) + q * np.log(g) + gammaln(px + q) - gammaln(px) + px * ln_gxu) + (px - 1) * sum_ln_gm - (px + q) * s_lnden
    gp = gxu * (gc * (psi_sum - psi(px) + ln_gxu) + sum_ln_gm - s_lnden)
    gq = gc * (psi_sum - psi(q) + np.log(g)) - s_lnden
    gg = gc * q / g - (px + q) * s_inv
    grad = np.array([gp.sum() * p, gq.sum() * q, gg.sum() * g])
    return -ll.sum() / nr, -grad / nr


c0 = time.process_time()
t0 = time.perf_counter()
bg = minimize(bg_negll, np.zeros(4), jac=True, method="BFGS", options={"gtol": 1e-10, "maxiter": 500})
t1 = time.perf_counter()
c1 = time.process_time()
gg = minimize(gg_negll, np.zeros(3), jac=True, method="BFGS", options={"gtol": 1e-10, "maxiter": 500})
t2 = time.perf_counter()
c2 = time.process_time()

r, alpha, a, b = np.exp(bg.x)
p, q, g = np.exp(gg.x)
# Per distinct history: P(alive), E[Y(13)], discounted purchases over 52 weeks, next purchase days.
ratio = np.where(rep, (a / np.where(rep, b + x - 1, 1.0)) * ((alpha + T) / (alpha + tx)) ** (r + x), 0.0)
palive = 1 / (1 + ratio)


# As in the product, the expectations of a member alive at T depend on (x, T) only: computed
# once per distinct pair, then multiplied by each history's P(alive).
pairs, inverse = np.unique(np.stack([x, T]), axis=1, return_inverse=True)
ux, uT = pairs


def if_alive(t):
    part = ((alpha + uT) / (alpha + uT + t)) ** (r + ux) * hyp2f1(r + ux, b + ux, a + b + ux - 1, t / (alpha + uT + t))
    return (a + b + ux - 1) / (a - 1) * (1 - part)


expected = if_alive(13.0)[inverse] * palive
dd = 1.1 ** (7 / 365) - 1
prev = np.zeros(pairs.shape[1])
disc_pairs = np.zeros(pairs.shape[1])
for k in range(1, 53):
    e = if_alive(float(k))
    disc_pairs += (e - prev) / (1 + dd) ** k
    prev = e
disc = disc_pairs[inverse] * palive
with np.errstate(divide="ignore", invalid="ignore"):
    tstar = (alpha + T) * np.expm1(-np.log1p(-0.5 / palive) / (r + x))
    days = np.maximum(1, np.ceil(tstar * 7 - 1e-9))
    next_days = np.where((palive > 0.5) & (days <= 730), days, np.nan)
# Per member: Gamma-Gamma expected spend and CLV (margin 30%).
hx = x[midx]
spend = np.where(np.isfinite(mmean) & (mmean > 0), (g + mmean * hx) * p / (p * hx + q - 1), p * g / (q - 1))
spend = np.round(spend, 4)
clv = np.round(spend * 0.3 * disc[midx], 4)
band = np.where(palive[midx] < 0.3, 0, np.where(palive[midx] < 0.7, 1, 2))
t3 = time.perf_counter()
c3 = time.process_time()

print(json.dumps({
    "versions": f"numpy {np.__version__}, scipy {scipy.__version__}",
    "bgnbd_ms": (t1 - t0) * 1000, "gg_ms": (t2 - t1) * 1000, "score_ms": (t3 - t2) * 1000, "total_ms": (t3 - t0) * 1000,
    "bgnbd_cpu_ms": (c1 - c0) * 1000, "gg_cpu_ms": (c2 - c1) * 1000, "score_cpu_ms": (c3 - c2) * 1000, "total_cpu_ms": (c3 - c0) * 1000,
    "bgnbd": {"params": {"r": r, "alpha": alpha, "a": a, "b": b}, "ll": -bg.fun * n, "iterations": int(bg.nit), "message": str(bg.message)},
    "gg": {"params": {"p": p, "q": q, "gamma": g}, "ll": -gg.fun * nr, "iterations": int(gg.nit)},
    "expected_sum": float((w * expected).sum()), "clv_sum": float(clv.sum()), "next_dates": int(np.isfinite(next_days[midx]).sum()), "bands": np.bincount(band, minlength=3).tolist(),
}))
