// The launcher table's schema, chosen by kind like the model table's.
#include "experiment/launcher_options.h"

#include "core/error.h"

namespace audify {

void read_launcher_kind(const ComposedConfig& composed, LauncherOptions& options) {
  const toml::node* kind = composed.table.at_path("launcher.kind").node();
  if (!kind) return;
  std::string origin = composed.origin_of("launcher.kind");
  if (origin.empty()) origin = "config";
  const auto name = kind->value<std::string>();
  if (!name) fail("{}: launcher.kind must be a string", origin);
  if (*name != "local" && *name != "slurm")
    fail("{}: launcher.kind '{}' is unknown (known: local, slurm)", origin, *name);
  options.kind = *name;
}

void bind(OptionSchema& s, LauncherOptions& l) {
  s.field("kind", l.kind, "local | slurm: worker processes here, or one SLURM job array");
  if (l.kind == "local") {
    s.field("jobs", l.jobs, "multirun points run at once; 0 = one per core");
    return;
  }
  SlurmOptions& o = l.slurm;
  s.field("partition", o.partition, "sbatch --partition; \"\" = the cluster's default");
  s.field("time", o.time, "sbatch --time per point (e.g. 01:00:00); \"\" = the partition's");
  s.field("cpus_per_task", o.cpus_per_task, "sbatch --cpus-per-task");
  s.field("mem", o.mem, "sbatch --mem per point (e.g. 8G); \"\" = the cluster's default");
  s.field("gpus_per_task", o.gpus_per_task, "sbatch --gpus-per-task; 0 = none");
  s.field("array_parallelism", o.array_parallelism,
          "array tasks running at once (--array=...%N); 0 = as many as the cluster allows");
  s.field("extra", o.extra, "further sbatch options, one per element (\"--account=abc\")");
  s.field("poll_seconds", o.poll_seconds, "seconds between squeue polls while waiting");
}

void check(const LauncherOptions& l) {
  if (l.jobs < 0) fail("launcher.jobs: {} is negative", l.jobs);
  const SlurmOptions& o = l.slurm;
  if (o.cpus_per_task <= 0) fail("launcher.cpus_per_task: {} must be > 0", o.cpus_per_task);
  if (o.gpus_per_task < 0) fail("launcher.gpus_per_task: {} is negative", o.gpus_per_task);
  if (o.array_parallelism < 0)
    fail("launcher.array_parallelism: {} is negative", o.array_parallelism);
  if (!(o.poll_seconds > 0)) fail("launcher.poll_seconds: {} must be > 0", o.poll_seconds);
  for (const std::string& e : o.extra)
    if (!e.starts_with("-") || e.find('\n') != std::string::npos)
      fail("launcher.extra: '{}' is not one sbatch option (like \"--account=abc\")", e);
}

}  // namespace audify
