"""Compiled solvers: whole working-set paths (``gaussian_path``, ``logistic_path``) and their
inner coordinate-descent and proximal-Newton solvers on a working set.

Objective on the working design (per-sample scaling, as scikit-learn):

    F(w) = L(w) + sum_j l1_j |w_j| + l2_j / 2 * w_j**2

with L = ||y - X w||^2 / (2 n) (Gaussian) or mean logistic loss (logistic, with an
unpenalized intercept). ``l1_j = alpha * l1_ratio * weight_j`` and
``l2_j = alpha * (1 - l1_ratio) * weight_j``. X is Fortran-ordered so columns are contiguous.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# Check the working-set optimality every this many epochs: the check costs one epoch.
_CHECK_EVERY = 5
# An update of at most this many ulps of the coefficient is rounding noise: an epoch (or a
# Newton step) with no larger update is a fixed point at float64 precision.
_ULPS = 4.0
_EPS = np.finfo(np.float64).eps
# A zero coefficient enters only when its gradient exceeds the threshold by more than a few
# ulps: the gradient is known to rounding (its summation order differs from BLAS's), and a
# feature exactly at the threshold (at alpha_max) stays at 0, as in scikit-learn.
_ENTRY = 1.0 + _ULPS * _EPS


# Dot products may be summed in any order (vectorized): the sums are then correct to
# rounding, as BLAS's are, and the solver stays single-threaded and fast.
_FAST = {"reassoc", "contract"}


@njit(cache=True, fastmath=_FAST)
def _col_dot(X, j, r):
    """x_j . r"""
    s = 0.0
    for i in range(X.shape[0]):
        s += X[i, j] * r[i]
    return s


@njit(cache=True, fastmath=_FAST)
def _col_axpy(X, j, a, r):
    """r += a x_j"""
    for i in range(X.shape[0]):
        r[i] += a * X[i, j]


@njit(cache=True, fastmath=_FAST)
def _xt_dot(X, v, out, scale):
    """out = scale * X^T v, column by column (X Fortran-ordered), on this thread."""
    for j in range(X.shape[1]):
        out[j] = _col_dot(X, j, v) * scale


@njit(cache=True)
def start_gradient(X, y, w, c, logistic):
    """|X^T v| / n at (w, c), v = y - eta (Gaussian) or y - sigmoid(eta) (logistic), summed
    exactly as the paths sum them at their first alpha: alpha_max from it puts the first
    point of a default path on the entry threshold to rounding, where it stays at 0."""
    n = X.shape[0]
    eta = np.full(n, c)
    for j in range(X.shape[1]):
        if w[j] != 0.0:
            _col_axpy(X, j, w[j], eta)
    v = np.empty(n)
    for i in range(n):
        v[i] = y[i] - (_sigmoid(eta[i]) if logistic else eta[i])
    z = np.empty(X.shape[1])
    _xt_dot(X, v, z, 1.0 / n)
    return np.abs(z)


@njit(cache=True, inline="always")
def _soft(z, t):
    if z > t:
        return z - t
    if z < -t:
        return z + t
    return 0.0


@njit(cache=True, inline="always")
def _violation(grad, w, l1):
    """Distance of -grad to the subdifferential of l1 * |.| at w (grad includes l2 w)."""
    if w > 0.0:
        return abs(grad + l1)
    if w < 0.0:
        return abs(grad - l1)
    return max(abs(grad) - l1 * _ENTRY, 0.0)  # the entry rule: no violation at the threshold


@njit(cache=True)
def gaussian_cd(X, r, w, ws, norms2, l1, l2, max_epochs, tol):
    """Cyclic coordinate descent on features ``ws``, updating ``w`` and the residual ``r``
    in place. ``norms2[j] = ||x_j||^2 / n``. Stops after an epoch in which every feature's
    KKT violation, as seen just before its update, was <= tol (the gradient the update
    computes anyway: no extra pass; the outer loop certifies the result with the full
    gradient and the duality gap), or in which no coefficient moved by more than a few ulps
    (no progress left at float64 precision). Returns the number of epochs run."""
    n = X.shape[0]
    inv_n = 1.0 / n
    for epoch in range(max_epochs):
        moved = False
        seen = 0.0
        for j in ws:
            if norms2[j] == 0.0:
                continue
            old = w[j]
            xr = _col_dot(X, j, r) * inv_n
            seen = max(seen, _violation(-xr + l2[j] * old, old, l1[j]))
            if old == 0.0 and abs(xr) <= l1[j] * _ENTRY:
                continue
            new = _soft(xr + norms2[j] * old, l1[j]) / (norms2[j] + l2[j])
            if new != old:
                delta = new - old
                _col_axpy(X, j, -delta, r)
                w[j] = new
                moved = moved or abs(delta) > _ULPS * _EPS * abs(new)
        if not moved or seen <= tol:
            return epoch + 1
    return max_epochs


# The covariance-form inner solver tries the exact solution on a stable support (a linear
# solve) when the support has at most this many features.
_EXACT_MAX = 200
# A Cholesky pivot below this fraction of its diagonal entry: numerically singular.
_PIVOT_MIN = 1e-10


@njit(cache=True)
def _cholesky_solve(A, b):
    """``(x, ok)``: x with ``A x = b`` for symmetric positive definite A (Cholesky), and
    False instead when a pivot falls below ``_PIVOT_MIN`` times its diagonal entry
    (numerically singular: correlated or duplicated columns)."""
    m = A.shape[0]
    L = np.zeros((m, m))
    x = b.copy()
    for j in range(m):
        s = A[j, j]
        for k in range(j):
            s -= L[j, k] * L[j, k]
        if not s > _PIVOT_MIN * A[j, j]:
            return x, False
        L[j, j] = np.sqrt(s)
        for i in range(j + 1, m):
            t = A[i, j]
            for k in range(j):
                t -= L[i, k] * L[j, k]
            L[i, j] = t / L[j, j]
    for i in range(m):  # L u = b, then L^T x = u
        t = x[i]
        for k in range(i):
            t -= L[i, k] * x[k]
        x[i] = t / L[i, i]
    for i in range(m - 1, -1, -1):
        t = x[i]
        for k in range(i + 1, m):
            t -= L[k, i] * x[k]
        x[i] = t / L[i, i]
    return x, True


@njit(cache=True)
def _exact_on_support(G, z, w, ws, l1, l2, tol):
    """Try the exact minimizer on the current support S of ``w`` with its signs fixed (an
    active-set Newton step, as LARS's): ``(G_SS + diag l2_S) w_S = z_S + G_SS w_S - l1_S
    sign(w_S)``. Kept (``w`` and ``z`` on ``ws`` updated, True returned) only when every
    penalized coefficient keeps its sign and every KKT violation on ``ws`` is <= tol;
    otherwise nothing changes and False is returned."""
    m = ws.shape[0]
    S = np.empty(m, dtype=np.int64)
    s = 0
    for a in range(m):
        if w[ws[a]] != 0.0:
            S[s] = ws[a]
            s += 1
    if s == 0 or s > _EXACT_MAX:
        return False
    S = S[:s]
    A = np.empty((s, s))
    b = np.empty(s)
    for a in range(s):
        j = S[a]
        b[a] = z[j] - l1[j] * np.sign(w[j])
        for c in range(s):
            A[a, c] = G[j, S[c]]
            b[a] += G[j, S[c]] * w[S[c]]
        A[a, a] += l2[j]
    new, ok = _cholesky_solve(A, b)
    if not ok:
        return False
    for a in range(s):
        j = S[a]
        if l1[j] > 0.0 and not new[a] * w[j] > 0.0:
            return False
    z_new = np.empty(m)
    worst = 0.0
    for a in range(m):
        k = ws[a]
        t = z[k]
        for c in range(s):
            t -= G[k, S[c]] * (new[c] - w[S[c]])
        z_new[a] = t
        wk = w[k]
        for c in range(s):
            if S[c] == k:
                wk = new[c]
        worst = max(worst, _violation(-t + l2[k] * wk, wk, l1[k]))
    if worst > tol:
        return False
    for a in range(m):
        z[ws[a]] = z_new[a]
    for c in range(s):
        w[S[c]] = new[c]
    return True


@njit(cache=True)
def gaussian_cd_gram(G, z, w, ws, norms2, l1, l2, max_epochs, tol):
    """``gaussian_cd`` in covariance form (glmnet's "covariance" update, for n >= p): the
    gradient ``z = X^T r / n`` is kept up to date through the Gram matrix ``G = X^T X / n``,
    so a coordinate update costs O(|ws|) instead of O(n). ``w`` and ``z`` (on ``ws``) are
    updated in place; the caller brings the residual up to date. Same stopping rules as
    ``gaussian_cd`` (so the same over-solving of the inner problem, which is cheap here);
    at each check, when the support and its signs held since the last one, the exact
    solution on that support is tried (``_exact_on_support``): CD finds the support, a
    linear solve the coefficients, to float64 precision, however correlated the columns."""
    m = ws.shape[0]
    stable = True  # no coefficient entered, left or changed sign since the last check
    for epoch in range(max_epochs):
        moved = False
        for a in range(m):
            j = ws[a]
            if norms2[j] == 0.0:
                continue
            old = w[j]
            if old == 0.0 and abs(z[j]) <= l1[j] * _ENTRY:
                continue
            new = _soft(z[j] + norms2[j] * old, l1[j]) / (norms2[j] + l2[j])
            if new != old:
                delta = new - old
                for b in range(m):
                    k = ws[b]
                    z[k] -= delta * G[j, k]  # G symmetric: row j, contiguous
                w[j] = new
                moved = moved or abs(delta) > _ULPS * _EPS * abs(new)
                stable = stable and old * new > 0.0
        if not moved:
            return epoch + 1
        if (epoch + 1) % _CHECK_EVERY != 0 and epoch != max_epochs - 1:
            continue
        worst = 0.0
        for a in range(m):
            j = ws[a]
            if norms2[j] == 0.0:
                continue
            worst = max(worst, _violation(-z[j] + l2[j] * w[j], w[j], l1[j]))
        if worst <= tol or (stable and _exact_on_support(G, z, w, ws, l1, l2, tol)):
            return epoch + 1
        stable = True
    return max_epochs


@njit(cache=True, inline="always")
def _log1pexp(t):
    if t > 0.0:
        return t + np.log1p(np.exp(-t))
    return np.log1p(np.exp(t))


@njit(cache=True, inline="always")
def _sigmoid(t):
    if t >= 0.0:
        return 1.0 / (1.0 + np.exp(-t))
    e = np.exp(t)
    return e / (1.0 + e)


@njit(cache=True)
def logistic_loss_change(eta, u, step, y):
    """Mean logistic loss at ``eta + step u`` minus at ``eta``, without cancellation.

    Subtracting two objective values loses everything below ~n ulps of the loss, which near
    the optimum is more than a Newton step gains. Per sample the loss is
    log1pexp(s a) with s = 1 - 2 y, and for |d| <= 1
    log1pexp(s (a + d)) - log1pexp(s a) = log1p(sigmoid(s a) expm1(s d)) to a few ulps of
    the change itself.
    """
    n = eta.shape[0]
    total = 0.0
    for i in range(n):
        s = 1.0 - 2.0 * y[i]
        a = s * eta[i]
        d = s * step * u[i]
        if abs(d) <= 1.0:
            total += np.log1p(_sigmoid(a) * np.expm1(d))
        else:
            total += _log1pexp(a + d) - _log1pexp(a)
    return total / n


# Inner quadratic models with at most this many coordinates (features plus the intercept),
# and no more than n, are solved in Gram form (X_ws^T diag(h) X_ws, O(n m^2) once per Newton
# step, then O(m) per coordinate update) rather than from the n-vector X d (O(n) each).
_NEWTON_GRAM_MAX = 1000
# The inner coordinate descent on the quadratic model stops at this fraction of the current
# KKT violation (inexact Newton keeps its fast local rate).
_MODEL_TOL = 0.05


@njit(cache=True)
def _logistic_model(X, y, w, eta, ws, l1, l2, fit_intercept, g, h, gx):
    """The quadratic model of the mean logistic loss at ``eta``: per-sample gradient ``g``
    and curvature ``h`` (written in place), ``gx = X_ws^T g``; returns the largest KKT
    violation on ``ws`` (the intercept's included) and the sums of ``g`` and ``h``."""
    n = X.shape[0]
    g_sum = 0.0
    h_sum = 0.0
    for i in range(n):
        p = _sigmoid(eta[i])
        g[i] = (p - y[i]) / n
        h[i] = max(p * (1.0 - p), 1e-12) / n
        g_sum += g[i]
        h_sum += h[i]
    worst = abs(g_sum) if fit_intercept else 0.0
    for k in range(ws.shape[0]):
        j = ws[k]
        gx[k] = _col_dot(X, j, g)
        worst = max(worst, _violation(gx[k] + l2[j] * w[j], w[j], l1[j]))
    return worst, g_sum, h_sum


@njit(cache=True)
def _weighted_gram(X, h, ws):
    """``H`` (m + 1, m + 1) = [X_ws, 1]^T diag(h) [X_ws, 1]: the model's curvature, the
    intercept's row and column last."""
    n = X.shape[0]
    m = ws.shape[0]
    H = np.empty((m + 1, m + 1))
    xh = np.empty(n)
    for k in range(m):
        j = ws[k]
        s = 0.0
        for i in range(n):
            xh[i] = X[i, j] * h[i]
            s += xh[i]
        H[m, k] = H[k, m] = s
        for b in range(k + 1):
            t = _col_dot(X, ws[b], xh)
            H[k, b] = H[b, k] = t
    s = 0.0
    for i in range(n):
        s += h[i]
    H[m, m] = s
    return H


@njit(cache=True)
def _direction_gram(H, gx, g_sum, w, c, ws, l1, l2, d, fit_intercept, max_cd, tol):
    """Coordinate descent on the penalized quadratic model in Gram form (``H`` from
    ``_weighted_gram``): the Newton direction ``d`` (in place, from 0) and its intercept
    part, returned. The model's gradient ``q`` is kept through ``H``: O(m) per update."""
    m = ws.shape[0]
    q = gx.copy()
    q_c = g_sum
    dc = 0.0
    for _ in range(max_cd):
        biggest = 0.0
        moved = False
        for k in range(m):
            j = ws[k]
            hk = H[k, k]
            if hk + l2[j] == 0.0:
                continue
            old = w[j] + d[k]
            new = _soft(hk * old - q[k], l1[j]) / (hk + l2[j])
            if new != old:
                delta = new - old
                d[k] += delta
                for b in range(m):
                    q[b] += delta * H[b, k]
                q_c += delta * H[m, k]
                biggest = max(biggest, abs(delta) * hk)
                moved = moved or abs(delta) > _ULPS * _EPS * abs(new)
        if fit_intercept:
            delta = -q_c / H[m, m]
            dc += delta
            for b in range(m):
                q[b] += delta * H[b, m]
            q_c += delta * H[m, m]
            biggest = max(biggest, abs(delta) * H[m, m])
            moved = moved or abs(delta) > _ULPS * _EPS * abs(c + dc)
        if biggest <= tol or not moved:
            break
    return dc


@njit(cache=True)
def _direction_naive(X, g, h, w, c, ws, l1, l2, d, u, fit_intercept, max_cd, tol):
    """``_direction_gram`` from the n-vector ``u = X_ws d + dc`` (kept in place): O(n) per
    update, no O(n m^2) set-up; for working sets larger than n."""
    n = X.shape[0]
    m = ws.shape[0]
    hx2 = np.empty(m)
    h_sum = 0.0
    for i in range(n):
        h_sum += h[i]
    for k in range(m):
        j = ws[k]
        hj = 0.0
        for i in range(n):
            hj += X[i, j] * X[i, j] * h[i]
        hx2[k] = hj
    dc = 0.0
    for _ in range(max_cd):
        biggest = 0.0
        moved = False
        for k in range(m):
            j = ws[k]
            if hx2[k] + l2[j] == 0.0:
                continue
            gq = 0.0
            for i in range(n):
                gq += X[i, j] * (g[i] + h[i] * u[i])
            old = w[j] + d[k]
            new = _soft(hx2[k] * old - gq, l1[j]) / (hx2[k] + l2[j])
            if new != old:
                delta = new - old
                d[k] += delta
                _col_axpy(X, j, delta, u)
                biggest = max(biggest, abs(delta) * hx2[k])
                moved = moved or abs(delta) > _ULPS * _EPS * abs(new)
        if fit_intercept:
            gq = 0.0
            for i in range(n):
                gq += g[i] + h[i] * u[i]
            delta = -gq / h_sum
            dc += delta
            for i in range(n):
                u[i] += delta
            biggest = max(biggest, abs(delta) * h_sum)
            moved = moved or abs(delta) > _ULPS * _EPS * abs(c + dc)
        if biggest <= tol or not moved:
            break
    return dc


@njit(cache=True)
def _penalty_change(w, d, step, ws, l1, l2):
    """The penalty at ``w + step d`` minus at ``w`` (on ``ws``)."""
    change = 0.0
    for k in range(ws.shape[0]):
        j = ws[k]
        wn = w[j] + step * d[k]
        change += l1[j] * (abs(wn) - abs(w[j])) + 0.5 * l2[j] * (wn - w[j]) * (wn + w[j])
    return change


@njit(cache=True)
def _armijo_step(eta, u, y, g, w, d, ws, l1, l2):
    """The Armijo step along (d, u = X d + dc) on the true objective, halving from 1 (at
    most 40 times); 0 when no step decreases it at float64 precision."""
    decrease = _penalty_change(w, d, 1.0, ws, l1, l2)
    for i in range(eta.shape[0]):
        decrease += g[i] * u[i]
    step = 1.0
    for _ in range(40):
        change = logistic_loss_change(eta, u, step, y) + _penalty_change(w, d, step, ws, l1, l2)
        if change <= 1e-4 * step * decrease:
            return step
        step *= 0.5
    return 0.0


@njit(cache=True)
def logistic_newton(X, y, w, c, eta, ws, l1, l2, fit_intercept, max_newton, max_cd, tol):
    """Proximal Newton (newGLMNET; Yuan, Ho & Lin 2012) on features ``ws``.

    Each Newton step minimizes the penalized quadratic model of the mean logistic loss by
    coordinate descent (in Gram form for small working sets: ``_direction_gram``), then
    backtracks on the true objective (Armijo rule, on the change of the objective computed
    directly: see ``logistic_loss_change``). ``w`` and ``eta = X w + c`` are updated in
    place. Stops when the largest KKT violation on the working set (intercept included) is
    <= tol, or when no step decreases the objective or moves a coefficient by more than a
    few ulps (no progress left at float64 precision). Returns ``(c, n_newton_steps)``.
    """
    n = X.shape[0]
    m = ws.shape[0]
    g = np.empty(n)
    h = np.empty(n)
    u = np.empty(n)
    gx = np.empty(m)
    d = np.empty(m)
    use_gram = m + 1 <= min(n, _NEWTON_GRAM_MAX)
    for it in range(max_newton):
        worst, g_sum, _ = _logistic_model(X, y, w, eta, ws, l1, l2, fit_intercept, g, h, gx)
        if worst <= tol:
            return c, it
        d[:] = 0.0
        if use_gram:
            H = _weighted_gram(X, h, ws)
            dc = _direction_gram(
                H, gx, g_sum, w, c, ws, l1, l2, d, fit_intercept, max_cd, _MODEL_TOL * worst
            )
            u[:] = dc
            for k in range(m):
                if d[k] != 0.0:
                    _col_axpy(X, ws[k], d[k], u)
        else:
            u[:] = 0.0
            dc = _direction_naive(
                X, g, h, w, c, ws, l1, l2, d, u, fit_intercept, max_cd, _MODEL_TOL * worst
            )
        step = _armijo_step(eta, u, y, g, w, d, ws, l1, l2)
        if step == 0.0:  # no decrease left at float64 precision: keep the current point
            return c, it + 1
        moved = abs(step * dc) > _ULPS * _EPS * abs(c)
        for k in range(m):
            j = ws[k]
            wn = w[j] + step * d[k]
            moved = moved or abs(wn - w[j]) > _ULPS * _EPS * abs(wn)
            w[j] = wn
        for i in range(n):
            eta[i] += step * u[i]
        c += step * dc
        if not moved:
            return c, it + 1
    return c, max_newton


# Outer-loop constants of the paths: the first working-set size,
# the outer iterations without resolvable progress before a "precision" stop, and the
# objective change (in ulps) below which a decrease is rounding noise.
_WS_START = 10
_STALL_ROUNDS = 3
_OBJECTIVE_ULPS = 32.0
_MAX_INNER_EPOCHS = 10_000
# Status codes of ``gaussian_path`` (see ``STATUS_NAMES`` in solve.py).
CONVERGED, MAX_ITER, PRECISION = 0, 1, 2


@njit(cache=True)
def _penalty_and_dual_scale(w, z, l1, l2):
    """(penalty at w, conjugate of the L2 part at the dual point, dual scale t) shared by
    the two gaps: for a pure L1 penalty t scales the dual point into the feasible set
    (max_j |z_j| / l1_j <= 1); with an L2 part (or no L1 penalty) t = 1."""
    penalty = 0.0
    conj = 0.0
    any_ridge = False
    any_pen = False
    worst = 0.0
    for j in range(w.shape[0]):
        penalty += l1[j] * abs(w[j]) + 0.5 * l2[j] * w[j] * w[j]
        if l2[j] > 0.0:
            any_ridge = True
            e = max(abs(z[j]) - l1[j], 0.0)
            conj += e * e / (2.0 * l2[j])
        if l1[j] > 0.0:
            any_pen = True
            worst = max(worst, abs(z[j]) / l1[j])
    if not any_pen or any_ridge:
        worst = 0.0
    return penalty, conj, 1.0 / worst if worst > 1.0 else 1.0


@njit(cache=True)
def _gaussian_gap(y, v, w, z, l1, l2, norms2, active, n):
    """Fenchel duality gap and primal objective at (w, residual v), ``z = X^T v / n``.

    For a pure L1 penalty the dual point ``t v`` is rescaled into the feasible set (as
    scikit-learn's ``enet_coordinate_descent``); with an L2 part the penalty's conjugate is
    finite everywhere and ``t = 1``. P - D is the sum of non-negative Fenchel-Young gaps
    minus ``t z_j w_j`` for each unpenalized feature, whose dual constraint z_j = 0 holds
    only at the optimum: that term is added back and replaced by the coordinate-wise gap
    z_j**2 / (2 curvature), so the certificate is >= 0 and vanishes at the optimum."""
    p = w.shape[0]
    penalty, conj, t = _penalty_and_dual_scale(w, z, l1, l2)
    vv = 0.0
    vy = 0.0
    for i in range(v.shape[0]):
        vv += v[i] * v[i]
        vy += v[i] * y[i]
    primal = 0.5 * vv / n + penalty
    dual = (t * vy - 0.5 * t * t * vv) / n - conj
    extra = 0.0
    for j in range(p):
        if l1[j] == 0.0 and l2[j] == 0.0 and active[j]:
            extra += t * z[j] * w[j] + z[j] * z[j] / (2.0 * norms2[j])
    # P - D cancels to within a few ulps of P: below that the gap is rounding noise (it may
    # come out 0 or negative), and is reported as that floor, which no tol can go below.
    floor = _OBJECTIVE_ULPS * _EPS * abs(primal)
    return max(primal - dual + extra, floor), primal


@njit(cache=True)
def _kkt_violations(z, w, l1, l2, active, viol):
    """Each active feature's KKT violation into ``viol`` (gradient -z + l2 w); the largest."""
    kkt = 0.0
    for j in range(w.shape[0]):
        viol[j] = _violation(-z[j] + l2[j] * w[j], w[j], l1[j]) if active[j] else 0.0
        kkt = max(kkt, viol[j])
    return kkt


@njit(cache=True)
def _quiet_rounds(primal, prev_primal, gap, best_gap, quiet):
    """Outer rounds in a row in which float64 resolved no progress: the objective fell by
    no more than a few ulps and the gap did not halve (at _STALL_ROUNDS: precision reached)."""
    resolved = prev_primal - primal > _OBJECTIVE_ULPS * _EPS * abs(primal)
    return 0 if resolved or gap < 0.5 * best_gap else quiet + 1


@njit(cache=True)
def _l1_norm(w):
    s = 0.0
    for j in range(w.shape[0]):
        s += abs(w[j])
    return s


@njit(cache=True)
def _working_set(viol, w, active):
    """The current support plus the worst KKT violators, at least ``_WS_START`` features and
    twice the support, sorted (ties at the cut all kept).
    Only the candidates (support and violators, usually few) are partitioned."""
    p = w.shape[0]
    nnz = 0
    count = 0
    ws = np.empty(p, dtype=np.int64)
    for j in range(p):
        if w[j] != 0.0:
            nnz += 1
        if w[j] != 0.0 or (active[j] and viol[j] > 0.0):
            ws[count] = j
            count += 1
    size = max(_WS_START, min(2 * nnz, p))
    if count <= size:
        return ws[:count]
    score = np.empty(count)
    for a in range(count):
        j = ws[a]
        score[a] = np.inf if w[j] != 0.0 else viol[j]
    cut = np.partition(score, count - size)[count - size]
    kept = 0
    for a in range(count):
        if score[a] >= cut:
            ws[kept] = ws[a]
            kept += 1
    return ws[:kept]


@njit(cache=True)
def gaussian_path(
    X, y, w, c, norms2, weights, active, alphas, l1_ratio, y_scale, target, max_iter, G, inner
):
    """The working-set solver for the Gaussian likelihood, compiled, along a descending
    grid with warm starts (a single alpha is a grid of one).

    Per alpha: the full gradient ``z = X^T v / n``, the duality gap and each feature's KKT
    violation; stop when ``gap <= target`` (after at least one inner pass unless already
    optimal), or with status PRECISION when float64 resolves no further progress (the inner
    solver leaves w unchanged, or ``_STALL_ROUNDS`` outer iterations in a row neither move the
    objective by more than rounding nor halve the gap); else coordinate descent on the
    support plus the worst violators to ``inner`` times the current KKT violation, or to
    ``target / ||w||_1`` when that is smaller (over-solving the working set costs less than
    another full gradient). ``w`` (the start) is updated in place; ``c`` is the fixed
    working intercept (0 on a centred y).
    With a Gram matrix ``G = X^T X / n`` (p, p) the inner solver runs in covariance form;
    pass a (0, 0) array for the residual ("naive") form. The gradient and the gap of the
    outer loop are computed from the residual either way.
    Returns ``(W (p, K), gaps, kkts, n_iter, status)``.
    """
    n, p = X.shape
    k = alphas.shape[0]
    W = np.zeros((p, k))
    gaps = np.zeros(k)
    kkts = np.zeros(k)
    iters = np.zeros(k, dtype=np.int64)
    status = np.zeros(k, dtype=np.int64)
    l1 = np.empty(p)
    l2 = np.empty(p)
    viol = np.empty(p)
    v = np.empty(n)
    z = np.empty(p)
    w_before = np.empty(p)
    use_gram = G.shape[0] == p and p > 0
    fresh = False  # whether z = X^T v / n for the current v
    for j in range(p):
        if not active[j]:
            w[j] = 0.0
    for a in range(k):
        for j in range(p):
            l1[j] = (alphas[a] * l1_ratio / y_scale) * weights[j]
            l2[j] = alphas[a] * (1.0 - l1_ratio) * weights[j]
        if a == 0:  # later alphas start from the last residual and, if current, gradient
            for i in range(n):
                v[i] = y[i] - c
            for j in range(p):
                if w[j] != 0.0:
                    _col_axpy(X, j, -w[j], v)
        gap = kkt = best_gap = prev_primal = np.inf
        quiet = 0
        code = MAX_ITER
        it = 1
        while it <= max_iter:
            if not fresh:  # the full gradient: O(n p), the cost of an outer iteration
                _xt_dot(X, v, z, 1.0 / n)
                fresh = True
            gap, primal = _gaussian_gap(y, v, w, z, l1, l2, norms2, active, n)
            kkt = _kkt_violations(z, w, l1, l2, active, viol)
            if gap <= target and (it > 1 or kkt == 0.0):
                code = CONVERGED
                break
            quiet = _quiet_rounds(primal, prev_primal, gap, best_gap, quiet)
            best_gap = min(best_gap, gap)
            prev_primal = primal
            if quiet >= _STALL_ROUNDS:
                code = PRECISION
                break
            w_before[:] = w
            ws = _working_set(viol, w, active)
            tol_in = min(inner * kkt, target / max(_l1_norm(w), _EPS))
            if use_gram:
                gaussian_cd_gram(G, z, w, ws, norms2, l1, l2, _MAX_INNER_EPOCHS, tol_in)
            else:
                gaussian_cd(X, v, w, ws, norms2, l1, l2, _MAX_INNER_EPOCHS, tol_in)
            same = True
            for j in ws:
                if w[j] != w_before[j]:
                    same = False
                    if not use_gram:
                        break
                    _col_axpy(X, j, w_before[j] - w[j], v)
            if same:  # a fixed point of the solver: optimal to rounding if the gap says so
                code = CONVERGED if gap <= target else PRECISION
                break
            fresh = False
            it += 1
        W[:, a] = w
        gaps[a] = gap
        kkts[a] = kkt
        iters[a] = min(it, max_iter)
        status[a] = code
    return W, gaps, kkts, iters, status


@njit(cache=True, inline="always")
def _xlogx(s):
    """s log s, 0 at s = 0 (scipy's xlogy(s, s))."""
    return s * np.log(s) if s != 0.0 else 0.0


@njit(cache=True)
def _logistic_gap(X, y, w, c, v, eta, z, l1, l2, active, fit_intercept):
    """Fenchel duality gap and primal objective of the mean logistic loss at (w, c), with
    ``v = y - sigmoid(eta)`` and ``z = X^T v / n``: ``_gaussian_gap``'s construction with
    the logistic loss's conjugate (binary entropy at ``y - t v``), and the intercept's dual
    constraint sum(v) = 0 treated as an unpenalized feature's, curvature mean(p (1 - p))."""
    n = v.shape[0]
    p = w.shape[0]
    penalty, conj, t = _penalty_and_dual_scale(w, z, l1, l2)
    loss = 0.0
    neg_entropy = 0.0
    v_sum = 0.0
    h_sum = 0.0
    for i in range(n):
        loss += _log1pexp(eta[i]) - y[i] * eta[i]
        s = y[i] - t * v[i]
        neg_entropy += _xlogx(s) + _xlogx(1.0 - s)
        v_sum += v[i]
        h_sum += max((y[i] - v[i]) * (1.0 - y[i] + v[i]), 1e-12)
    primal = loss / n + penalty
    dual = -neg_entropy / n - conj
    extra = 0.0
    for j in range(p):
        if l1[j] == 0.0 and l2[j] == 0.0 and active[j]:
            curvature = 0.0  # x_j^2 . p (1 - p) / n: the actual curvature
            for i in range(n):
                curvature += X[i, j] * X[i, j] * max((y[i] - v[i]) * (1.0 - y[i] + v[i]), 1e-12)
            extra += t * z[j] * w[j] + z[j] * z[j] / (2.0 * curvature / n)
    if fit_intercept:
        v_mean = v_sum / n
        extra += t * c * v_mean + v_mean * v_mean / (2.0 * h_sum / n)
    return primal - dual + extra, primal


@njit(cache=True)
def logistic_path(
    X, y, w, c, weights, active, alphas, l1_ratio, target, max_iter, fit_intercept, inner
):
    """The working-set solver for the logistic likelihood, compiled along a descending grid
    with warm starts (a single alpha is a grid of one): ``gaussian_path``'s outer loop
    (same gap certificate, same stops) around the proximal-Newton inner solver
    ``logistic_newton``. ``w`` (the start) is updated in place, ``c`` is the starting
    intercept. The gradient certifying one alpha starts the next (it depends on (w, c)
    only). Returns ``(W (p, K), intercepts, gaps, kkts, n_iter, status)``.
    """
    n, p = X.shape
    k = alphas.shape[0]
    W = np.zeros((p, k))
    C = np.zeros(k)
    gaps = np.zeros(k)
    kkts = np.zeros(k)
    iters = np.zeros(k, dtype=np.int64)
    status = np.zeros(k, dtype=np.int64)
    l1 = np.empty(p)
    l2 = np.empty(p)
    viol = np.empty(p)
    v = np.empty(n)
    z = np.empty(p)
    w_before = np.empty(p)
    eta = np.full(n, c)
    fresh = False  # whether v and z are those of the current (w, c)
    for j in range(p):
        if not active[j]:
            w[j] = 0.0
        elif w[j] != 0.0:
            _col_axpy(X, j, w[j], eta)
    for a in range(k):
        for j in range(p):
            l1[j] = alphas[a] * l1_ratio * weights[j]
            l2[j] = alphas[a] * (1.0 - l1_ratio) * weights[j]
        gap = kkt = best_gap = prev_primal = np.inf
        quiet = 0
        code = MAX_ITER
        it = 1
        while it <= max_iter:
            if not fresh:  # the full gradient: O(n p), the cost of an outer iteration
                for i in range(n):
                    v[i] = y[i] - _sigmoid(eta[i])
                _xt_dot(X, v, z, 1.0 / n)
                fresh = True
            gap, primal = _logistic_gap(X, y, w, c, v, eta, z, l1, l2, active, fit_intercept)
            kkt = _kkt_violations(z, w, l1, l2, active, viol)
            if gap <= target and (it > 1 or kkt == 0.0):
                code = CONVERGED
                break
            quiet = _quiet_rounds(primal, prev_primal, gap, best_gap, quiet)
            best_gap = min(best_gap, gap)
            prev_primal = primal
            if quiet >= _STALL_ROUNDS:
                code = PRECISION
                break
            w_before[:] = w
            c_before = c
            ws = _working_set(viol, w, active)
            tol_in = min(inner * kkt, target / max(_l1_norm(w), _EPS))
            c, _ = logistic_newton(X, y, w, c, eta, ws, l1, l2, fit_intercept, 200, 1000, tol_in)
            same = c == c_before
            for j in ws:
                same = same and w[j] == w_before[j]
            if same:
                code = CONVERGED if gap <= target else PRECISION
                break
            fresh = False
            it += 1
        W[:, a] = w
        C[a] = c
        gaps[a] = gap
        kkts[a] = kkt
        iters[a] = min(it, max_iter)
        status[a] = code
    return W, C, gaps, kkts, iters, status
