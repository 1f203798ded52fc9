// `launcher.*`: how a multirun executes its points (configs/launcher/*.toml). `kind` picks the
// launcher and only that launcher's keys are bound, so `launcher.partition` under the local
// launcher is an unknown key, as a key of another model family is.
#pragma once

#include <string>
#include <vector>

#include "config/compose.h"
#include "config/options.h"

namespace audify {

// The SLURM launcher's resources, one array task per point (experiment/slurm_launcher.h).
struct SlurmOptions {
  std::string partition;           // "" = the cluster's default partition
  std::string time;                // per-task wall-clock limit as sbatch takes it; "" = partition's
  int cpus_per_task = 1;           // --cpus-per-task
  std::string mem;                 // --mem per task ("8G"); "" = the cluster's default
  int gpus_per_task = 0;           // --gpus-per-task; 0 = none requested
  int array_parallelism = 0;       // at most this many tasks at once (--array=...%N); 0 = no limit
  std::vector<std::string> extra;  // further sbatch options, each one `--flag=value` (#SBATCH line)
  double poll_seconds = 5.0;       // how often the waiting command polls squeue
};

struct LauncherOptions {
  std::string kind = "local";  // local | slurm
  int jobs = 0;                // local: points run at once; 0 = one per core
  SlurmOptions slurm;          // slurm
};

// Reads `launcher.kind` from the composed config (before the schema is bound) into `options`;
// an unknown kind is an error naming its origin.
void read_launcher_kind(const ComposedConfig& composed, LauncherOptions& options);
// Binds the keys of `options.kind` (and `kind` itself).
void bind(OptionSchema& schema, LauncherOptions& options);
// Range checks the schema cannot express.
void check(const LauncherOptions& options);

}  // namespace audify
