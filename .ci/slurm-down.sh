#!/usr/bin/env bash
# Stops what slurm-up.sh started, by pid, in reverse order.
S=${S:-/tmp/caddie-slurm}
for f in slurmd slurmctld munged; do
  [[ -s $S/$f.pid.bg ]] || continue
  p=$(cat $S/$f.pid.bg); kill "$p" 2>/dev/null || continue
  for i in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
done
