#!/usr/bin/env bash
# Run Molecule scenarios, MOLECULE_JOBS at a time (default 2), longest first so the
# short ones fill in beside the long ones. Each scenario's output goes to
# .build/molecule-logs/NAME.log and is printed whole when it ends, with its time;
# a failed scenario's output is printed again at the end. Exit status: 0 when every
# scenario passed.
#
#   tests/molecule.sh [SCENARIO[:BACKEND] ...]   (default: every scenario in molecule/,
#                                                 each of its backends)
#
# A scenario with backends (firewall, tls_proxy) runs once per backend, with
# LAB_BACKEND set; a run is named SCENARIO:BACKEND (log .build/molecule-logs/SCENARIO-BACKEND.log).
# Runs go side by side: each has its own container names and networks
# (molecule/<name>/molecule.yml, the backend in the names), its own Molecule state
# directory (MOLECULE_EPHEMERAL_DIRECTORY), and nothing in the tree is written by them.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
jobs=${MOLECULE_JOBS:-2}
logs=$PWD/.build/molecule-logs
mkdir -p "$logs"

# The backends of the scenarios that have them.
declare -A backends=([firewall]="nftables ufw firewalld" [tls_proxy]="nginx caddy")
# Longest first (measured minutes on 2 cores, see CONTRIBUTING.md "What `make test` runs").
order=(federation existing_server homeserver_dendrite tls_proxy:nginx tls_proxy:caddy signing_keys
       homeserver_synapse firewall:ufw firewall:firewalld firewall:nftables homeserver_eltrix)
requested=("$@")
if [ $# -eq 0 ]; then
  for f in molecule/*/molecule.yml; do
    requested+=("$(basename "$(dirname "$f")")")
  done
fi
wanted=()
for r in "${requested[@]}"; do
  if [ ! -f "molecule/${r%%:*}/molecule.yml" ]; then
    echo "no scenario ${r%%:*} in molecule/" >&2
    exit 2
  fi
  if [[ $r != *:* && -n ${backends[$r]:-} ]]; then
    for b in ${backends[$r]}; do wanted+=("$r:$b"); done
  else
    wanted+=("$r")
  fi
done
queue=()
for s in "${order[@]}"; do
  for w in "${wanted[@]}"; do [ "$w" = "$s" ] && queue+=("$s"); done
done
for w in "${wanted[@]}"; do
  case " ${queue[*]} " in *" $w "*) ;; *) queue+=("$w") ;; esac
done

declare -A pid_of=() start_of=()
failed=()
started=$(date +%s)

finish() {  # finish PID: report the scenario that process ran
  local pid=$1 rc=$2 s
  for s in "${!pid_of[@]}"; do
    [ "${pid_of[$s]}" = "$pid" ] || continue
    unset "pid_of[$s]"
    echo "=== molecule test -s $s: $([ "$rc" = 0 ] && echo passed || echo "FAILED (rc $rc)") in $(( $(date +%s) - start_of[$s] )) s"
    cat "$logs/${s/:/-}.log"
    echo "=== end of $s"
    [ "$rc" = 0 ] || failed+=("$s")
  done
}

for s in "${queue[@]}"; do
  while [ "${#pid_of[@]}" -ge "$jobs" ]; do
    wait -n -p done_pid; rc=$?
    finish "$done_pid" "$rc"
  done
  echo "=== molecule test -s $s: started ($(date +%T))"
  start_of[$s]=$(date +%s)
  if [[ $s == *:* ]]; then
    state=${XDG_CACHE_HOME:-$HOME/.cache}/matrix-federation-molecule/${s/:/-}
    mkdir -p "$state"
    LAB_BACKEND=${s#*:} MOLECULE_EPHEMERAL_DIRECTORY=$state molecule test -s "${s%%:*}" > "$logs/${s/:/-}.log" 2>&1 &
  else
    molecule test -s "$s" > "$logs/$s.log" 2>&1 &
  fi
  pid_of[$s]=$!
done
while [ "${#pid_of[@]}" -gt 0 ]; do
  wait -n -p done_pid; rc=$?
  finish "$done_pid" "$rc"
done

echo "=== Molecule: ${#queue[@]} scenarios, $jobs at a time, in $(( $(date +%s) - started )) s"
if [ "${#failed[@]}" -gt 0 ]; then
  for s in "${failed[@]}"; do
    echo "=== FAILED: $s (last lines of $logs/${s/:/-}.log)"
    tail -n 80 "$logs/${s/:/-}.log"
  done
  exit 1
fi
