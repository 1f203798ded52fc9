// `audify run`: one experiment from the composed config (configs/ + experiments/ + overrides), or
// with -m a sweep over every combination of the comma-separated overrides.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>

#include "commands.h"
#include "config/sweep.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "experiment/multirun.h"
#include "experiment/multirun_plan.h"
#include "experiment/run_data.h"
#include "experiment/run_dir.h"
#include "experiment/runner.h"
#include "report/report_writer.h"

namespace audify::cli {
namespace {

struct RunArgs {
  std::vector<std::string> overrides;
  bool print_config = false;
  bool multirun = false;
  std::string resume;
  std::string run_dir;       // set by a multirun's launcher for its workers
  std::string point_config;  // a multirun point's resolved config.toml (with --run-dir)
  bool no_wait = false;      // launcher=slurm: return once the array is queued
  bool quiet = false;
};

void print_run_summary(const std::filesystem::path& dir, const nlohmann::json& m) {
  const auto& test = m.at("test");
  const std::size_t splits = m.at("folds").size();
  fmt::print("run directory: {}\n", dir.string());
  fmt::print("data: {} ({} clips, {} features, {} classes)\n",
             m.at("data").at("source").get<std::string>(), m.at("data").at("clips").get<int>(),
             m.at("data").at("features").get<int>(), m.at("data").at("classes").size());
  fmt::print("model: {}, split: {} ({} split{}), device: {}\n",
             m.at("model").at("kind").get<std::string>(),
             m.at("split").at("kind").get<std::string>(), splits, splits == 1 ? "" : "s",
             m.at("device").get<std::string>());
  fmt::print("train accuracy: {:.4f}\n", m.at("train").at("accuracy").get<double>());
  if (splits > 1) {
    const auto ci = test.at("accuracy_ci95");
    fmt::print(
        "test accuracy:  {:.4f} ± {:.4f} (mean ± sample sd over {} folds; 95% CI of the mean "
        "{:.4f} to {:.4f})\n",
        test.at("accuracy").get<double>(), test.at("accuracy_std").get<double>(), splits,
        ci.at(0).get<double>(), ci.at(1).get<double>());
    std::string folds;
    for (const auto& f : m.at("folds"))
      folds += fmt::format(" {}={:.4f}", f.at("name").get<std::string>(),
                           f.at("test_accuracy").get<double>());
    fmt::print("per fold:      {}\n", folds);
  } else {
    fmt::print("test accuracy:  {:.4f}\n", test.at("accuracy").get<double>());
  }
  fmt::print("test macro-F1:  {:.4f}\n", test.at("macro_f1").get<double>());
  fmt::print("leak: {:.1f}% of test clips have a slice of the same recording in train\n",
             100.0 * m.at("leak").at("clip_fraction").get<double>());
  if (m.at("split").contains("note"))
    fmt::print("note: {}\n", m.at("split").at("note").get<std::string>());
  if (splits > 1 || m.at("model").value("trained_on", "") == "all clips")
    fmt::print("saved model: {}\n", m.at("model").at("saved").get<std::string>());
  const auto& s = m.at("seconds");
  fmt::print("time: extract {:.2f} s, train {:.2f} s, evaluate {:.2f} s, total {:.2f} s\n",
             s.at("extract").get<double>(), s.at("train").get<double>(),
             s.at("evaluate").get<double>(), s.at("total").get<double>());
}

// report.md and report.html in the folder; a report that cannot be written is a warning, not a
// failed run (its results are all on disk, and `audify report DIR` can retry).
void write_run_report(const std::filesystem::path& dir) {
  try {
    write_report({dir}, dir);
    fmt::print("report: {}\n", (dir / "report.html").string());
  } catch (const std::exception& e) {
    spdlog::warn("{}: the report was not written: {}", dir.string(), e.what());
  }
}

int run_single(const RunArgs& args, const std::vector<Override>& overrides) {
  RunRequest req;
  if (args.point_config.empty()) {
    req.config = load_run_config(overrides);
    req.overrides = overrides;
  } else {
    req.config = load_point_config(args.point_config);
    req.overrides = load_point_overrides(args.run_dir);
  }
  req.progress = !args.quiet;
  RunLog log(args.quiet);
  if (!args.run_dir.empty()) {
    // A multirun point: its folder exists already, and a failure is recorded there (FAILED).
    req.run_dir = args.run_dir;
    std::filesystem::create_directories(req.run_dir);
  } else {
    check_run_data(req.config);  // before a run folder exists for it
    req.run_dir = create_run_dir(req.config.output_root, req.config.experiment, "",
                                 run_dir_suffix(req.config.model.kind, overrides));
  }
  const std::filesystem::path log_path = req.run_dir / "log.txt";
  req.before_metrics = [&] { log.save(log_path); };
  nlohmann::json metrics;
  try {
    metrics = run_experiment(req);
  } catch (const std::exception& e) {
    log.record_error(e.what());  // main prints it on stderr
    log.save(log_path);
    throw;
  }
  // In log.txt as well as the summary: what the figures are over, and what the saved model is.
  if (metrics.at("split").contains("note"))
    log.record_info("note: " + metrics.at("split").at("note").get<std::string>());
  log.record_info("saved model: " + metrics.at("model").at("saved").get<std::string>());
  spdlog::info("done: {}", req.run_dir.string());
  log.save(log_path);
  print_run_summary(req.run_dir, metrics);
  // A multirun's points leave the report to the multirun, which writes one for all of them.
  if (req.config.report && args.run_dir.empty()) write_run_report(req.run_dir);
  return 0;
}

int run_sweep(const RunArgs& args, const std::vector<Override>& overrides) {
  MultirunRequest req;
  req.overrides = overrides;
  req.resume_dir = args.resume;
  req.progress = !args.quiet;
  req.wait = !args.no_wait;
  RunLog log(args.quiet);  // the parent's lines go to stderr, and to the multirun folder's log.txt
  const MultirunResult r = run_multirun(req);
  log.save(r.dir / "log.txt");
  fmt::print("multirun directory: {}\n", r.dir.string());
  if (!r.finished) {
    fmt::print(
        "submitted job array {} ({} points); follow it with `audify sweep status {}`, "
        "then `audify sweep collect {}`\n",
        r.job_id, r.ran, r.dir.string(), r.dir.string());
    return 0;
  }
  fmt::print("{} points: {} ran, {} skipped (finished before), {} failed\n\n", r.points, r.ran,
             r.skipped, r.failed);
  fmt::print("{}", read_file(r.dir / "summary.md"));
  if (r.report) write_run_report(r.dir);
  return r.failed == 0 ? 0 : 1;
}

int run_command(const RunArgs& args) {
  const std::vector<Override> overrides = parse_overrides(args.overrides);
  const bool has_sweep =
      std::any_of(overrides.begin(), overrides.end(), [](const Override& o) { return o.sweep; });
  if (!args.multirun && !args.resume.empty()) fail("--resume needs -m (a multirun)");
  if (args.multirun && !args.run_dir.empty()) fail("--run-dir is for single runs");
  if (!args.point_config.empty() && (args.run_dir.empty() || !overrides.empty()))
    fail("--point-config needs --run-dir and no overrides (it is how multirun points run)");
  if (args.no_wait && !args.multirun) fail("--no-wait is for multiruns (-m launcher=slurm)");
  if (args.print_config) {
    const std::vector<SweepPoint> points =
        args.multirun ? expand_sweeps(overrides) : std::vector<SweepPoint>{overrides};
    for (std::size_t i = 0; i < points.size(); ++i) {
      if (points.size() > 1) fmt::print("# point {}: {}\n", i, overrides_text(points[i]));
      const RunConfig config = load_run_config(points[i]);
      fmt::print("{}{}", config_files_comment(config), resolved_config_text(config));
      if (i + 1 < points.size()) fmt::print("\n");
    }
    return 0;
  }
  if (has_sweep && !args.multirun) {
    for (const Override& o : overrides)
      if (o.sweep) fail("override '{}': a sweep needs multirun (-m)", o.text);
  }
  return args.multirun ? run_sweep(args, overrides) : run_single(args, overrides);
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand(
      "run",
      "Run an experiment: compose configs/config.toml with its groups, an optional experiment and "
      "overrides, train and evaluate, and write a run directory\n"
      "(<output_root>/<experiment>/<date>_<time>_<model>_<overrides>/: config.toml, "
      "overrides.txt, metrics.json, predictions.csv, history.csv, model.safetensors, log.txt, "
      "report.md and report.html; report=false skips the report).\n"
      "  audify run                                   the synthetic dataset, the seed's pipeline\n"
      "  audify run +experiment=official_10fold data.root=/data/UrbanSound8K\n"
      "  audify run data.features=table.csv split=kfold train.epochs=20\n"
      "  audify run train.lr=3e-4 --cfg                print the resolved config and exit\n"
      "  audify run -m model.hidden=[100,200,100],[256,256] train.lr=1e-3,3e-4\n"
      "      one run per combination in <output_root>/<experiment>/multirun_<date>_<time>/, "
      "launcher.jobs=N at a time (0 = one per core), with summary.csv and summary.md\n"
      "  audify run -m ... --resume DIR               finish an interrupted multirun: the same "
      "overrides, points with a metrics.json are skipped\n"
      "  audify run -m ... launcher=slurm [--no-wait]  submit the sweep as one SLURM job array "
      "(docs/cluster.md); then `audify sweep status|collect|cancel DIR`");
  cmd->add_option("overrides", args->overrides,
                  "key=value, group=option, +key=value, ++key=value, ~key, +experiment=NAME; "
                  "with -m, a=1,2 / choice(...) / range(...) sweep");
  cmd->add_flag("--cfg", args->print_config, "print the fully resolved config (TOML) and exit");
  cmd->add_flag("-m,--multirun", args->multirun, "sweep: one run per combination of the overrides");
  cmd->add_option("--resume", args->resume, "with -m: a multirun folder to finish");
  cmd->add_flag("-q,--quiet", args->quiet, "no progress lines");
  cmd->add_flag("--no-wait", args->no_wait,
                "with -m launcher=slurm: return once the job array is queued");
  cmd->add_option("--run-dir", args->run_dir, "run directory to use (multirun workers)")->group("");
  cmd->add_option("--point-config", args->point_config, "a multirun point's resolved config.toml")
      ->group("");
  cmd->callback([args] {
    const int status = run_command(*args);
    if (status != 0) throw CLI::RuntimeError(status);
  });
}

}  // namespace audify::cli
