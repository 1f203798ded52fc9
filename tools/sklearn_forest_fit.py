#!/usr/bin/python3
"""scikit-learn's side of `audify bench baseline model=random_forest`: one
RandomForestClassifier fit on the same rows (folds 2-10 of the feature table, or the same shape of
synthetic blobs when it is absent), timed around fit() alone, and the accuracy on fold 1.

  tools/sklearn_forest_fit.py [--features CSV] [--trees 500] [--threads 1]

Needs Debian's python3-sklearn (tools/setup.sh --peers).
"""
import argparse
import os
import pathlib
import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / 'tests'))
from crosscheck_sklearn import load_table  # noqa: E402


def load(path):
    x, y, fold = load_table(path)
    x, test = x.astype(np.float32), fold == 1
    return x[~test], y[~test], x[test], y[test]


def synthetic():
    rng = np.random.default_rng(11)
    centre = rng.normal(size=(10, 40))
    y = np.arange(7859 + 873) % 10
    x = (centre[y] + 3 * rng.normal(size=(y.size, 40))).astype(np.float32)
    return x[:7859], y[:7859], x[7859:], y[7859:]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument('--features', default='')
    ap.add_argument('--trees', type=int, default=500)
    ap.add_argument('--threads', type=int, default=1)
    a = ap.parse_args()
    data = a.features if a.features and os.path.exists(a.features) else 'synthetic'
    xtr, ytr, xte, yte = load(a.features) if data != 'synthetic' else synthetic()
    forest = RandomForestClassifier(n_estimators=a.trees, n_jobs=a.threads, random_state=0)
    t0 = time.perf_counter()
    forest.fit(xtr, ytr)
    t1 = time.perf_counter()
    accuracy = forest.score(xte, yte)
    print(f'scikit-learn random forest, {a.trees} trees, {a.threads} thread(s), '
          f'{xtr.shape[0]} x {xtr.shape[1]} training rows from {data}')
    print(f'fit {t1 - t0:.2f} s, held-out accuracy {100 * accuracy:.2f} %')


if __name__ == '__main__':
    main()
