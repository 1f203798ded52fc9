// The SLURM client commands Audify needs, run without a shell (core/process.h) and parsed:
// sbatch to submit, squeue for the live state of array tasks, sacct for the final state where the
// cluster keeps accounting, scancel. Each reads $SLURM_CONF like any SLURM client.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace audify::slurm {

// Submits a batch script; returns the job id. Throws audify::Error with sbatch's message.
std::string sbatch(const std::filesystem::path& script);

// The queued and running tasks of an array job: task index -> state (PENDING, RUNNING,
// COMPLETING, ...). Empty once every task has left the queue (or the job is unknown).
std::map<int, std::string> queued_tasks(const std::string& job_id);

// Final task states from accounting (COMPLETED, FAILED, TIMEOUT, CANCELLED, OUT_OF_MEMORY, ...);
// std::nullopt where the cluster has no accounting storage (no slurmdbd) or sacct fails.
std::optional<std::map<int, std::string>> accounted_tasks(const std::string& job_id);

// Cancels the jobs (every task of each array). Throws audify::Error with scancel's message.
void scancel(const std::vector<std::string>& job_ids);

// "0-3,7,9-10": an --array list of sorted task indices.
std::string array_list(const std::vector<int>& indices);

}  // namespace audify::slurm
