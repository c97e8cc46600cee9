#!/usr/bin/env python3
"""Reference values for Mira.Metrics' classification tests, computed independently of Mira.

  classification_reference.py binary FILE    columns: label,score,score2   (scores of two models)
  classification_reference.py kappa FILE     columns: a,b                  (integer ratings of two raters)
  classification_reference.py fleiss FILE    rows: counts per category (one subject per row)
  classification_reference.py icc FILE       rows: ratings per judge (one target per row)

Prints one JSON object. scikit-learn for AUC, AP, kappas, Brier, confusion matrix and the reliability curve;
numpy/scipy for the rest: DeLong in its direct O(mn) structural-component form (DeLong et al. 1988, eqs. for
V10/V01 and S10/S01), Fleiss (1971) and the Shrout & Fleiss (1979) ANOVA forms.
"""
import json
import sys

import numpy as np
from scipy import stats


def delong_direct(y, s):
    x = s[y == 1]
    z = s[y == 0]
    psi = (x[:, None] > z[None, :]).astype(float) + 0.5 * (x[:, None] == z[None, :])
    return psi.mean(axis=1), psi.mean(axis=0)


def binary(path):
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
    d = np.loadtxt(path, delimiter=",", skiprows=1)
    y = d[:, 0].astype(int)
    s, s2 = d[:, 1], d[:, 2]
    m, n = int(y.sum()), int((1 - y).sum())
    v10, v01 = delong_direct(y, s)
    w10, w01 = delong_direct(y, s2)
    var = np.var(v10, ddof=1) / m + np.var(v01, ddof=1) / n
    var2 = np.var(w10, ddof=1) / m + np.var(w01, ddof=1) / n
    cov = np.cov(v10, w10, ddof=1)[0, 1] / m + np.cov(v01, w01, ddof=1)[0, 1] / n
    z = stats.norm.ppf(0.975)
    auc = v10.mean()
    dvar = var + var2 - 2 * cov
    diff = auc - w10.mean()
    r = {"auc": roc_auc_score(y, s), "auc2": roc_auc_score(y, s2), "ap": average_precision_score(y, s),
         "delong_auc": auc, "delong_var": var, "delong_lower": max(0.0, auc - z * np.sqrt(var)),
         "delong_upper": min(1.0, auc + z * np.sqrt(var)), "diff_var": dvar,
         "diff_p": 2 * stats.norm.sf(abs(diff / np.sqrt(dvar)))}
    p = np.clip(s, 0, 1)
    r["brier"] = brier_score_loss(y, p)
    for bins in (10, 15):
        prob_true, prob_pred = calibration_curve(y, p, n_bins=bins, strategy="uniform")
        edges = np.linspace(0, 1, bins + 1)
        ids = np.searchsorted(edges[1:-1], p)  # the same binning, for the counts
        counts = np.bincount(ids, minlength=bins)
        counts = counts[counts > 0]
        r["curve_true_%d" % bins] = prob_true.tolist()
        r["curve_pred_%d" % bins] = prob_pred.tolist()
        r["ece_%d" % bins] = float(np.sum(counts / len(y) * np.abs(prob_true - prob_pred)))
    return r


def kappa(path):
    from sklearn.metrics import cohen_kappa_score, confusion_matrix
    d = np.loadtxt(path, delimiter=",", skiprows=1, dtype=int)
    a, b = d[:, 0], d[:, 1]
    full = list(range(0, 6))
    return {"none": cohen_kappa_score(a, b), "linear": cohen_kappa_score(a, b, weights="linear"),
            "quadratic": cohen_kappa_score(a, b, weights="quadratic"),
            "quadratic_full": cohen_kappa_score(a, b, weights="quadratic", labels=full),
            "confusion": confusion_matrix(a, b).tolist(), "classes": [int(c) for c in sorted(set(a) | set(b))]}


def fleiss(path):
    c = np.loadtxt(path, delimiter=",", dtype=float, ndmin=2)
    n_sub = c.shape[0]
    n = c[0].sum()
    p = c.sum(axis=0) / (n_sub * n)
    pi = (np.square(c).sum(axis=1) - n) / (n * (n - 1))
    pbar, pe = pi.mean(), np.square(p).sum()
    return {"kappa": (pbar - pe) / (1 - pe)}


def icc(path):
    y = np.loadtxt(path, delimiter=",", dtype=float, ndmin=2)
    n, k = y.shape
    g = y.mean()
    ss_rows = k * np.square(y.mean(axis=1) - g).sum()
    ss_cols = n * np.square(y.mean(axis=0) - g).sum()
    ss_tot = np.square(y - g).sum()
    bms, jms = ss_rows / (n - 1), ss_cols / (k - 1)
    wms = (ss_tot - ss_rows) / (n * (k - 1))
    ems = (ss_tot - ss_rows - ss_cols) / ((n - 1) * (k - 1))
    return {"icc1_1": (bms - wms) / (bms + (k - 1) * wms), "icc2_1": (bms - ems) / (bms + (k - 1) * ems + k * (jms - ems) / n),
            "icc3_1": (bms - ems) / (bms + (k - 1) * ems), "icc1_k": (bms - wms) / bms,
            "icc2_k": (bms - ems) / (bms + (jms - ems) / n), "icc3_k": (bms - ems) / bms}


if __name__ == "__main__":
    mode, path = sys.argv[1], sys.argv[2]
    out = {"binary": binary, "kappa": kappa, "fleiss": fleiss, "icc": icc}[mode](path)
    print(json.dumps(out, default=float))
