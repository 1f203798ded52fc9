#!/usr/bin/env bash
# Stops the test cluster started by start_cluster.sh DIR: cancels what is still queued, then ends
# slurmd, slurmctld and munged by the process ids recorded at start, and waits for them to go.
set -u
dir=${1:?usage: stop_cluster.sh DIR}
if [ -f "$dir/slurm.conf" ] && [ -f "$dir/slurmctld.pid" ]; then
  SLURM_CONF="$dir/slurm.conf" timeout 10 scancel --full --quiet --user=root 2>/dev/null
fi
for daemon in slurmd slurmctld munged; do
  pid=$(cat "$dir/$daemon.pid" 2>/dev/null) || continue
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null
  rm -f "$dir/$daemon.pid"
done
exit 0
