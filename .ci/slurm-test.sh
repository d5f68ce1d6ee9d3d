#!/usr/bin/env bash
# Slurm integration test: starts a single-node Slurm cluster on this machine
# (munged, slurmctld and slurmd from Debian's packages, installed when
# missing; every daemon bound to the loopback address, with a generated key
# and slurm.conf in a temporary directory), submits a sweep of two quick
# experiments as a 4-task job array with experiments/slurm/submit.sh, waits
# for the array rounds and the merge, and compares the merged results with
# an unsharded run byte for byte (meta.json aside). Every daemon it started
# is stopped on exit, and the script fails if one is left.
#
# When Slurm is missing and cannot be installed (no root, no apt), it prints
# "slurm integration: skipped: REASON" and exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin:/usr/sbin:/sbin"

skip() {
	echo "slurm integration: skipped: $*"
	exit 0
}
fail() {
	echo "slurm integration: FAILED: $*" >&2
	exit 1
}

experiments=(random-matrices interpolation)
shards=4
timeout=240 # seconds for all rounds of the array and the merges

tmp=$(mktemp -d /tmp/critpoint-slurm.XXXXXX)
daemons=(munged slurmctld slurmd slurmstepd)
pids=()
# running lists the process ids of the daemons by name (pgrep takes one
# name of at most 15 characters at a time).
running() {
	local d
	for d in "${daemons[@]}"; do
		pgrep -x "$d" || true
	done | tr '\n' ' '
}
before="" # daemons running before the test, which it leaves alone

# cleanup stops the daemons this script started, by process id, and then
# checks that none of them, nor a job step, is left.
cleanup() {
	local status=$? pid left i
	set +e
	if [ ${#pids[@]} -ge 2 ]; then
		SLURM_CONF=$tmp/slurm.conf scancel --quiet --user="$(id -un)" 2>/dev/null
	fi
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		kill "${pids[i]}" 2>/dev/null
	done
	for pid in "${pids[@]}"; do
		for _ in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	# Job steps that outlived slurmd, and anything else this script started:
	# kill them and wait, up to 10 s, until they are gone (a step that was
	# finishing when slurmd stopped takes a moment to exit).
	for _ in $(seq 100); do
		left=""
		for pid in $(running); do
			case " $before " in *" $pid "*) ;; *) left="$left $pid" ;; esac
		done
		[ -z "$left" ] && break
		for pid in $left; do
			kill -9 "$pid" 2>/dev/null
		done
		sleep 0.1
	done
	left=""
	for pid in $(running); do
		case " $before " in *" $pid "*) ;; *) left="$left $pid($(cat /proc/"$pid"/comm 2>/dev/null))" ;; esac
	done
	if [ -n "$left" ]; then
		echo "slurm integration: FAILED: daemons left running:$left" >&2
		status=1
	fi
	if [ "$status" -ne 0 ]; then
		for f in "$tmp"/*.log "$tmp"/slurm/logs/*.out; do
			[ -f "$f" ] || continue
			echo "--- $f (last lines)" >&2
			tail -n 20 "$f" >&2
		done
	fi
	rm -rf "$tmp"
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Install Slurm and munge when they are missing.
need="slurmctld slurmd munged sbatch squeue sinfo scancel"
missing=""
for c in $need; do
	command -v "$c" >/dev/null || missing="$missing $c"
done
if [ -n "$missing" ]; then
	[ "$(id -u)" -eq 0 ] || skip "missing$missing and not root"
	command -v apt-get >/dev/null || skip "missing$missing and no apt-get"
	echo "slurm integration: installing slurmctld slurmd slurm-client munge"
	if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		slurmctld slurmd slurm-client munge; } >"$tmp/apt.log" 2>&1; then
		tail -n 5 "$tmp/apt.log"
		skip "apt-get could not install slurm-wlm and munge"
	fi
fi
[ "$(id -u)" -eq 0 ] || skip "the daemons need root"
# Taken after the installation, whose scripts may start services of their own.
before=$(running)

host=$(hostname -s)
cpus=$(nproc)
mem=$(free -m | awk '/^Mem:/ { print int($2 * 0.9) }')
mkdir -p "$tmp/munge" "$tmp/state" "$tmp/spool"
chmod 700 "$tmp/munge"

# munge: a fresh key and a private socket.
head -c 1024 /dev/urandom >"$tmp/munge/munge.key"
chmod 400 "$tmp/munge/munge.key"
munged --foreground --force --key-file="$tmp/munge/munge.key" --socket="$tmp/munge/socket" \
	--pid-file="$tmp/munge/munged.pid" --seed-file="$tmp/munge/seed" --log-file="$tmp/munged.log" \
	>>"$tmp/munged.log" 2>&1 &
pids+=($!)

cat >"$tmp/slurm.conf" <<EOF
ClusterName=critpoint-ci
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$tmp/munge/socket
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SlurmctldTimeout=30
SlurmdTimeout=30
KillWait=5
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$tmp/slurm.conf

for _ in $(seq 50); do
	[ -S "$tmp/munge/socket" ] && break
	sleep 0.1
done
[ -S "$tmp/munge/socket" ] || fail "munged did not start"
slurmctld -D -c -f "$SLURM_CONF" >>"$tmp/slurmctld.log" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" -N "$host" >>"$tmp/slurmd.log" 2>&1 &
pids+=($!)

state=""
for _ in $(seq 120); do
	state=$(sinfo -h -o %t 2>/dev/null || true)
	[ "$state" = idle ] && break
	sleep 0.5
done
[ "$state" = idle ] || fail "the node is not idle after 60 s (state '$state')"
echo "slurm integration: node $host idle ($cpus CPUs, $mem MB), Slurm $(sinfo -V | awk '{ print $2 }')"

# One binary for every task, so that the array does not compile it 4 times.
go build -o "$tmp/experiments" ./experiments
export CRITPOINT_BIN=$tmp/experiments CRITPOINT_SLURM_DIR=$tmp/slurm
start=$(date +%s)
experiments/slurm/submit.sh "$shards" run -preset quick -out "$tmp/sharded" "${experiments[@]}"

while :; do
	queued=$(squeue -h -o '%i %j %T' || true)
	[ -z "$queued" ] && break
	if [ $(($(date +%s) - start)) -gt "$timeout" ]; then
		echo "$queued" >&2
		fail "the jobs did not finish in $timeout s"
	fi
	sleep 1
done
rounds=$(grep -h '^round ' "$tmp"/slurm/logs/merge-*.out 2>/dev/null | wc -l)
echo "slurm integration: jobs done in $(($(date +%s) - start)) s, $((rounds + 1)) round(s) of the array"
for f in "$tmp"/slurm/logs/*.out; do
	if grep '^experiments: ' "$f" | grep -qv 'shard results incomplete'; then
		cat "$f" >&2
		fail "a job reported an error ($f)"
	fi
done

"$tmp/experiments" run -preset quick -out "$tmp/unsharded" "${experiments[@]}" 2>"$tmp/unsharded.log" ||
	fail "the unsharded run failed: $(tail -n 3 "$tmp/unsharded.log")"
for e in "${experiments[@]}"; do
	[ -f "$tmp/sharded/$e/meta.json" ] || fail "$e: the merge wrote no meta.json"
	[ ! -e "$tmp/sharded/$e/shards" ] || fail "$e: the shard files remain after the merge"
	diff -r -q -x meta.json "$tmp/unsharded/$e" "$tmp/sharded/$e" >&2 ||
		fail "$e: the merged results differ from the unsharded run"
	echo "slurm integration: $e: $(find "$tmp/sharded/$e" -type f ! -name meta.json | wc -l) merged files identical to the unsharded run"
done
echo "slurm integration: passed"
