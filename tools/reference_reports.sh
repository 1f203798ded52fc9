#!/usr/bin/env bash
# Regenerates the committed reference reports under reports/ (see reports/README.md): runs the
# reference experiments, then `audify report`, and keeps only report.md, report.html and
# summary.md of each (no models, no predictions).
#
#   tools/reference_reports.sh synthetic           # the synthetic default (no data needed, ~minutes)
#   tools/reference_reports.sh real [FEATURES.csv] # the real feature table (default:
#                                                  #   ../shared/data/urbansound8k-features/...)
#   tools/reference_reports.sh all [FEATURES.csv]  # both; `real` is skipped when the table is absent
#   tools/reference_reports.sh real_esc10          # ESC-10's 5 folds from ../shared/data/esc10's audio
#   tools/reference_reports.sh real_fold10         # UrbanSound8K fold 10's audio: baselines and SB-CNN
#   tools/reference_reports.sh real_fold10_more_splits  # the same models on ten more splits
#   tools/reference_reports.sh real_fold10_weight_averaging  # and the CNNs' weight averaging there
#
# Environment: AUDIFY (the binary, default build/audify), WORK (run directories, default
# outputs/reference_reports), REPORTS (default reports/). Each report is one function below, so
# `tools/reference_reports.sh real_random` etc. regenerates one of them alone.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
AUDIFY="${AUDIFY:-$ROOT/build/audify}"
WORK="${WORK:-$ROOT/outputs/reference_reports}"
REPORTS="${REPORTS:-$ROOT/reports}"
FEATURES="${2:-$ROOT/../shared/data/urbansound8k-features/mfcc40_mean_kaiser_fast.csv}"

# MLP architectures of the comparison: widths, depths, with and without dropout.
MLP_SWEEP=(model.hidden=[100],[100,200,100],[256,256,256] model.dropout=0,0.5)
# Trees of the random forest (RF_TREES=50 for a quick pass; 500 CART trees fit in ~15 s of one
# core on the real table's folds).
RF_TREES="${RF_TREES:-}"

# run_baselines NAME OVERRIDES... : the SVM and the random forest as one multirun (or two when
# RF_TREES is set, since model.n_trees is not a key of the SVM), printing the multirun folders.
run_baselines() {
  local name="$1"; shift
  if [[ -z "$RF_TREES" ]]; then
    run_multirun "$name" "$@" model=svm_rbf,random_forest
  else
    run_multirun "${name}_svm" "$@" model=svm_rbf
    run_multirun "${name}_rf" "$@" model=random_forest model.n_trees="$RF_TREES"
  fi
}

die() { echo "reference_reports: $*" >&2; exit 1; }
[[ -x "$AUDIFY" ]] || die "$AUDIFY is not built (tools/build.sh, or set AUDIFY=...)"

# run_multirun NAME OVERRIDES... : one multirun into $WORK/NAME/, printing its folder.
run_multirun() {
  local name="$1"; shift
  local out="$WORK/$name"
  rm -rf "$out"
  "$AUDIFY" run -q -m "$@" output_root="$out" >&2
  find "$out" -mindepth 2 -maxdepth 2 -type d -name 'multirun_*' | sort
}

# publish NAME DIRS... : the report of DIRS into $REPORTS/NAME, with each multirun's summary.md.
publish() {
  local name="$1"; shift
  local dest="$REPORTS/$name"
  rm -rf "$dest"
  mkdir -p "$dest"
  "$AUDIFY" report "$@" --out "$dest"
  local i=0
  for dir in "$@"; do
    i=$((i + 1))
    [[ -f "$dir/summary.md" ]] && cp "$dir/summary.md" "$dest/summary_$i.md"
  done
  # Paths are machine-specific: runs relative to the work folder, the rest to the checkout.
  sed -i -e "s#$WORK/##g" -e "s#$ROOT/##g" "$dest"/*.md "$dest"/report.html
  echo "wrote $dest" >&2
}

synthetic_architectures() {
  local mlp baselines
  mlp=$(run_multirun synthetic_architectures_mlp +experiment=architectures "${MLP_SWEEP[@]}")
  baselines=$(run_baselines synthetic_architectures_baselines +experiment=architectures)
  publish synthetic_architectures $mlp $baselines
}

synthetic_baselines() {
  local dirs
  dirs=$(run_baselines synthetic_baselines +experiment=baselines_salamon2014 data=synthetic)
  publish synthetic_baselines_salamon2014 $dirs
}

need_features() { [[ -f "$FEATURES" ]] || die "$FEATURES is absent (give the table's path)"; }

# The seed protocol (random 70/30, 3 split seeds) and the grouped 70/30 (5 seeds), each for the
# seed MLP and both baselines on the seed's 40 mean MFCCs.
real_split() {
  need_features
  local name="$1" experiment="$2" seeds="$3" mlp baselines
  mlp=$(run_multirun "${name}_mlp" +experiment="$experiment" data.features="$FEATURES" \
    seed="$seeds")
  baselines=$(run_baselines "${name}_baselines" +experiment="$experiment" \
    data.features="$FEATURES")
  publish "$name" $mlp $baselines
}

real_random() { real_split real_random_70_30 reproduce_audify 0,1,2; }
real_grouped() { real_split real_grouped_70_30 grouped_70_30 0,1,2,3,4; }

# The official 10 folds: MLP widths, depths and dropout beside the SVM and the random forest.
real_official() {
  need_features
  local mlp baselines
  mlp=$(run_multirun real_official_10fold_mlp +experiment=architectures \
    data.features="$FEATURES" "${MLP_SWEEP[@]}")
  baselines=$(run_baselines real_official_10fold_baselines +experiment=architectures \
    data.features="$FEATURES")
  publish real_official_10fold $mlp $baselines
}

# ESC-10 from its real audio (../shared/data/esc10, or $ESC10), Piczak's protocol: the 5 official
# folds; the MLP, the SVM and the random forest on the seed's 40 mean MFCCs and on Salamon 2014's
# statistics (the forest as its own multirun: model.n_trees is not a key of the others).
ESC10="${ESC10:-$ROOT/../shared/data/esc10}"
real_esc10() {
  [[ -d "$ESC10" ]] || die "$ESC10 is absent (ESC-10's original release)"
  local common=(+experiment=esc10_5fold data.root="$ESC10" features=mfcc40_mean,salamon2014)
  local mlp_svm rf cnn
  mlp_svm=$(run_multirun real_esc10_5fold "${common[@]}" model=mlp,svm_rbf)
  rf=$(run_multirun real_esc10_5fold_rf "${common[@]}" model=random_forest \
    ${RF_TREES:+model.n_trees="$RF_TREES"})
  # SB-CNN on the same folds from the log-mel frames, plain and with Salamon & Bello's deformations
  # (sb_cnn_augmented without the weight averaging it has now: the report predates it).
  cnn=$(run_multirun real_esc10_5fold_sb_cnn data=esc10 data.root="$ESC10" split=kfold \
    launcher.jobs=1 +experiment=sb_cnn,sb_cnn_augmented train.average_epochs=0)
  # The remedies tried when the deformations did not add: more versions per epoch, pitch shifts
  # alone, a random gain, the plain network at twice the steps, and the deformations through
  # rubberband's R3 engine (about 3 hours of one core).
  local esc=(data=esc10 data.root="$ESC10" split=kfold launcher.jobs=1 eval.curve_every=0
    train.average_epochs=0) remedies
  remedies=$(
    run_multirun real_esc10_5fold_versions "${esc[@]}" +experiment=sb_cnn_augmented \
      augment.versions_per_epoch=4
    run_multirun real_esc10_5fold_pitch "${esc[@]}" +experiment=sb_cnn_augmented 'augment.stretch_rates=[]'
    run_multirun real_esc10_5fold_gain "${esc[@]}" +experiment=sb_cnn augment.gain_db=6
    run_multirun real_esc10_5fold_long "${esc[@]}" +experiment=sb_cnn train.epochs=100
    run_multirun real_esc10_5fold_r3 "${esc[@]}" +experiment=sb_cnn_augmented \
      augment.rubberband_engine=finer
  )
  publish real_esc10_5fold $mlp_svm $rf $cnn $remedies
}

# Fold 10 of UrbanSound8K from its real audio (../shared/data/urbansound8k-fold10, or $FOLD10),
# five grouped 70/30 splits (seeds 0-4, recordings kept whole): the MLP, the SVM and the forest on
# the seed's MLP's MFCC means and on Salamon 2014's statistics, beside SB-CNN plain and under each
# augmentation preset on the same five splits (the preset study behind
# experiments/sb_cnn_augmented.toml; 30 SB-CNN trainings, about 3 hours of 2 cores).
FOLD10="${FOLD10:-$ROOT/../shared/data/urbansound8k-fold10}"
SEEDS="${SEEDS:-0,1,2,3,4}"

# fold10_multiruns PREFIX SEEDS CNN_OVERRIDES... : on fold 10's grouped splits for SEEDS, the MLP, SVM
# and forest on both feature sets, SB-CNN (with CNN_OVERRIDES) and +experiment=sb_cnn_augmented
# without weight averaging (sb2017 with the clip and one variant each epoch: the reference recipe
# these reports measured, before it averaged its last epochs), printing the three folders.
fold10_multiruns() {
  local prefix="$1" seeds="$2"; shift 2
  run_multirun "${prefix}_vectors" "${FOLD10_COMMON[@]}" seed="$seeds" train.standardize=true \
    model=mlp,svm_rbf,random_forest features=mfcc40_mean,salamon2014
  run_multirun "${prefix}_sb_cnn" "${FOLD10_COMMON[@]}" seed="$seeds" +experiment=sb_cnn \
    eval.curve_every=0 "$@"
  run_multirun "${prefix}_sb_cnn_augmented" "${FOLD10_COMMON[@]}" seed="$seeds" \
    +experiment=sb_cnn_augmented eval.curve_every=0 train.average_epochs=0
}
FOLD10_COMMON=(data.root="$FOLD10" split=grouped launcher.jobs=1)

need_fold10() { [[ -d "$FOLD10" ]] || die "$FOLD10 is absent (UrbanSound8K's fold 10 as FLAC)"; }

real_fold10() {
  local dirs
  need_fold10
  dirs=$(fold10_multiruns real_fold10 "$SEEDS" augment=none,specaugment,mixup,sb2017,sb2017_specaugment)
  publish real_fold10_architectures $dirs
}

# Ten more grouped splits of fold 10 (seeds 5-14) for the comparison the CNN issue asks about, the
# same models without the other presets, so paired differences rest on 15 splits with real_fold10's
# five (about 35 min of 2 cores).
MORE_SEEDS="${MORE_SEEDS:-5,6,7,8,9,10,11,12,13,14}"
real_fold10_more_splits() {
  local dirs
  need_fold10
  dirs=$(fold10_multiruns real_fold10_more "$MORE_SEEDS")
  publish real_fold10_more_splits $dirs
}

# Weight averaging on the same ten splits: real_fold10_more_splits' runs and SB-CNN and
# +experiment=sb_cnn_augmented ending on the mean of their last 10 epochs' weights (the same
# training, so each pair differs only in the final weights; about 70 min of 2 cores).
real_fold10_weight_averaging() {
  local dirs
  need_fold10
  dirs=$(fold10_multiruns real_fold10_more "$MORE_SEEDS")
  dirs+=" $(run_multirun real_fold10_averaged_sb_cnn "${FOLD10_COMMON[@]}" seed="$MORE_SEEDS" \
    +experiment=sb_cnn eval.curve_every=0 train.average_epochs=10)"
  dirs+=" $(run_multirun real_fold10_averaged_sb_cnn_augmented "${FOLD10_COMMON[@]}" \
    seed="$MORE_SEEDS" +experiment=sb_cnn_augmented eval.curve_every=0)"
  publish real_fold10_weight_averaging $dirs
}

synthetic() { synthetic_architectures; synthetic_baselines; }
real() { real_random; real_grouped; real_official; }

case "${1:-all}" in
  all)
    synthetic
    if [[ -f "$FEATURES" ]]; then real; else echo "skipping the real reports: $FEATURES is absent" >&2; fi
    ;;
  synthetic | real | synthetic_architectures | synthetic_baselines | real_random | real_grouped | \
    real_official | real_esc10 | real_fold10 | real_fold10_more_splits | \
    real_fold10_weight_averaging)
    "$1"
    ;;
  *) die "unknown target '$1' (all | synthetic | real | one of the functions in $0)" ;;
esac
