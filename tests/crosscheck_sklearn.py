#!/usr/bin/env python3
"""Cross-check of Audify's SVM-RBF and random forest against scikit-learn.

On the real feature table, `audify run model=svm_rbf` and `model=random_forest` must land within
--tolerance points (default 1.0) of scikit-learn's StandardScaler + SVC(C=10, gamma='scale') and
RandomForestClassifier(n_estimators=500), the hyper-parameters of ../shared/peers/peer_real_accuracy.py,
under each protocol of --protocols: kfold (the official folds of --folds), random and grouped
(Audify's 70/30 splits for --seeds seeds; scikit-learn is fitted on exactly the same sides, read
back from the run's predictions.csv, so only the models differ). The mean test accuracy over the
splits is compared.

  crosscheck_sklearn.py --audify BIN [--features CSV] [--folds 1,2,3 | --folds all]
                        [--protocols kfold,random,grouped] [--seeds 3]
                        [--models svm,rf] [--trees 500] [--threads 2] [--out DIR]

Exits 77 (CTest's skip code) when scikit-learn or the feature table is absent. CTest runs folds 1
and 2 with 50 trees on both sides (a 500-tree fold takes minutes on each side; the full 10-fold
scikit-learn forest alone ~25 min on one busy core); run `--folds all` for the full comparison.
"""
import argparse
import csv
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

SKIP = 77
DEFAULT_FEATURES = (pathlib.Path(__file__).resolve().parents[2] / 'shared' / 'data' /
                    'urbansound8k-features' / 'mfcc40_mean_kaiser_fast.csv')


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument('--audify', required=True, help='the audify binary')
    ap.add_argument('--features', default=os.environ.get('AUDIFY_CROSSCHECK_FEATURES',
                                                         str(DEFAULT_FEATURES)))
    ap.add_argument('--folds', default='1,2', help="comma-separated test folds, or 'all'")
    ap.add_argument('--protocols', default='kfold', help='kfold, random, grouped (comma-separated)')
    ap.add_argument('--seeds', type=int, default=3, help='random and grouped: split seeds 0..N-1')
    ap.add_argument('--models', default='svm,rf')
    ap.add_argument('--trees', type=int, default=500, help='random forest trees, both sides')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--tolerance', type=float, default=1.0, help='percentage points')
    ap.add_argument('--out', default=None, help='keep the audify runs here (default: a temp dir)')
    return ap.parse_args()


def load_table(path, with_names=False):
    import numpy as np
    with open(path, newline='') as f:
        rows = list(csv.DictReader(f))
    meta = {'slice_file_name', 'fsID', 'fold', 'classID', 'class'}
    columns = [k for k in rows[0] if k not in meta]
    x = np.array([[float(r[c]) for c in columns] for r in rows], np.float64)
    y = np.array([int(r['classID']) for r in rows])
    fold = np.array([int(r['fold']) for r in rows])
    if with_names:
        return x, y, fold, [r['slice_file_name'] for r in rows]
    return x, y, fold


def sklearn_accuracy(model, x, y, sides, trees, threads):
    """Test accuracy of scikit-learn's model on each (train rows, test rows) pair."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC
    scores = []
    for tr, te in sides:
        if model == 'svm':
            s = StandardScaler().fit(x[tr])
            c = SVC(C=10, gamma='scale').fit(s.transform(x[tr]), y[tr])
            scores.append(c.score(s.transform(x[te]), y[te]))
        else:
            c = RandomForestClassifier(n_estimators=trees, random_state=0, n_jobs=threads)
            scores.append(c.fit(x[tr], y[tr]).score(x[te], y[te]))
    return scores


def audify_run(binary, model, features, split, trees, threads, out, name):
    """Runs one Audify experiment; returns its metrics.json and the test file names it predicted."""
    overrides = {
        # The vote, as SVC.score; Platt probabilities can move a few predictions.
        'svm': ['model=svm_rbf', 'model.probability=false'],
        'rf': ['model=random_forest', f'model.n_trees={trees}', f'model.threads={threads}'],
    }[model]
    cmd = [binary, 'run', '--quiet', f'data.features={features}', f'output_root={out}',
           f'experiment={name}'] + split + overrides
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f'{" ".join(cmd)} failed:\n{done.stdout}\n{done.stderr}')
    run = sorted((pathlib.Path(out) / name).iterdir())[-1]
    with open(run / 'predictions.csv', newline='') as f:
        tested = [r['file'] for r in csv.DictReader(f)]
    return json.loads((run / 'metrics.json').read_text()), tested


def compare(a, model, protocol, folds, table):
    """(scikit-learn scores, Audify scores) over the protocol's splits."""
    import numpy as np
    x, y, fold, names = table
    if protocol == 'kfold':
        metrics, _ = audify_run(a.audify, model, a.features,
                                ['split=kfold', 'split.folds=[' + ','.join(map(str, folds)) + ']'],
                                a.trees, a.threads, a.out, f'crosscheck_{model}_kfold')
        sides = [(np.where(fold != k)[0], np.where(fold == k)[0]) for k in folds]
        ours = [f['test_accuracy'] for f in metrics['folds']]
    else:
        row_of = {n: i for i, n in enumerate(names)}
        sides, ours = [], []
        for seed in range(a.seeds):
            metrics, tested = audify_run(a.audify, model, a.features,
                                         [f'split={protocol}', f'split.seed={seed}'], a.trees,
                                         a.threads, a.out, f'crosscheck_{model}_{protocol}_{seed}')
            test = np.zeros(len(names), bool)
            test[[row_of[t] for t in tested]] = True
            sides.append((np.where(~test)[0], np.where(test)[0]))
            ours.append(metrics['test']['accuracy'])
    return sklearn_accuracy(model, x, y, sides, a.trees, a.threads), ours


def main():
    a = parse_args()
    try:
        import numpy  # noqa: F401
        import sklearn
    except ImportError:
        print('SKIP: scikit-learn is not installed (Debian: python3-sklearn)')
        return SKIP
    if not os.path.exists(a.features):
        print(f'SKIP: {a.features} is absent')
        return SKIP
    folds = list(range(1, 11)) if a.folds == 'all' else [int(k) for k in a.folds.split(',')]
    table = load_table(a.features, with_names=True)
    failures = 0
    with tempfile.TemporaryDirectory(prefix='audify-crosscheck-') as tmp:
        a.out = a.out or tmp
        for model in a.models.split(','):
            for protocol in a.protocols.split(','):
                t0 = time.perf_counter()
                ref, ours = compare(a, model, protocol, folds, table)
                ref_mean, our_mean = 100 * sum(ref) / len(ref), 100 * sum(ours) / len(ours)
                ok = abs(ref_mean - our_mean) <= a.tolerance
                failures += not ok
                where = f'folds {folds}' if protocol == 'kfold' else f'seeds 0-{a.seeds - 1}'
                print(f'{model} {protocol} ({where}): scikit-learn {sklearn.__version__} '
                      f'{ref_mean:.2f} %, audify {our_mean:.2f} % ({time.perf_counter() - t0:.0f} s '
                      f'both), difference {our_mean - ref_mean:+.2f} points '
                      f'({"within" if ok else "OUTSIDE"} {a.tolerance})')
                print('  per split  sklearn ' + ' '.join(f'{100 * v:.1f}' for v in ref))
                print('  per split  audify  ' + ' '.join(f'{100 * v:.1f}' for v in ours),
                      flush=True)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
