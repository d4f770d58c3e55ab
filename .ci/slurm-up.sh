#!/usr/bin/env bash
# A one-node Slurm cluster on loopback for the Slurm executor's tests, without systemd, as root:
# munged, slurmctld and slurmd started by hand, state in $S. proctrack/cgroup so that scancel also ends
# double-forked children. Prints the SLURM_CONF to export. Stop with: .ci/slurm-down.sh
set -euo pipefail
S=${S:-/tmp/caddie-slurm}; mkdir -p $S/state $S/spool $S/log
NODE=$(hostname -s)
CPUS=$(nproc); MEM=$(( $(awk '/MemTotal/{print $2}' /proc/meminfo) / 1024 - 1024 ))
if [[ -d /sys/fs/cgroup/freezer || -d /sys/fs/cgroup/memory ]]; then
  PROC="ProctrackType=proctrack/cgroup
TaskPlugin=task/cgroup,task/affinity"
  printf 'CgroupPlugin=cgroup/v1\nCgroupMountpoint=/sys/fs/cgroup\nConstrainCores=yes\nConstrainRAMSpace=no\n' > $S/cgroup.conf
else
  # no cgroup v1 controllers here: linuxproc still tracks the job's processes that stay in its tree
  PROC="ProctrackType=proctrack/linuxproc
TaskPlugin=task/none"
  rm -f $S/cgroup.conf
fi
cat > $S/slurm.conf <<CONF
ClusterName=caddie
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
CommunicationParameters=NoInAddrAny
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/log/slurmctld.log
SlurmdLogFile=$S/log/slurmd.log
$PROC
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$S/log/jobcomp.txt
MailProg=/bin/true
MpiDefault=none
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmdTimeout=30
InactiveLimit=0
KillWait=2
MinJobAge=600
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$S/slurm.conf
mkdir -p /run/munge && chown munge:munge /run/munge && chmod 755 /run/munge
[[ -s /etc/munge/munge.key ]] || { mungekey --create --keyfile=/etc/munge/munge.key; chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key; }
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  setpriv --reuid=munge --regid=munge --init-groups /usr/sbin/munged --foreground > $S/log/munged.out 2>&1 &
  echo $! > $S/munged.pid.bg
  for i in $(seq 50); do [[ -S /run/munge/munge.socket.2 ]] && break; sleep 0.1; done
fi
/usr/sbin/slurmctld -D -f $S/slurm.conf > $S/log/slurmctld.out 2>&1 &
echo $! > $S/slurmctld.pid.bg
/usr/sbin/slurmd -D -f $S/slurm.conf > $S/log/slurmd.out 2>&1 &
echo $! > $S/slurmd.pid.bg
for i in $(seq 150); do sinfo -h -o %T 2>/dev/null | grep -qx idle && break; sleep 0.2; done
sinfo -h -o %T | grep -qx idle || { echo "slurm did not come up; see $S/log" >&2; tail -5 $S/log/*.log >&2; exit 1; }
echo "$S/slurm.conf"
