#!/usr/bin/env bash
# Run Molecule scenarios, MOLECULE_JOBS at a time (default 2), longest first so the
# short ones fill in beside the long ones. Each scenario's output goes to
# .build/molecule-logs/NAME.log and is printed whole when it ends, with its time;
# a failed scenario's output is printed again at the end. Exit status: 0 when every
# scenario passed.
#
#   tests/molecule.sh [SCENARIO ...]      (default: every scenario in molecule/)
#
# Scenarios run side by side: each has its own container names and networks
# (molecule/<name>/molecule.yml), and nothing in the tree is written by them.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
jobs=${MOLECULE_JOBS:-2}
logs=$PWD/.build/molecule-logs
mkdir -p "$logs"

# Longest first (measured minutes on 2 cores, see README "What make test runs").
order=(federation existing_server homeserver_dendrite tls_proxy_nginx tls_proxy_caddy signing_keys
       homeserver_synapse firewall_ufw firewall_firewalld firewall_nftables homeserver_eltrix)
if [ $# -gt 0 ]; then
  wanted=("$@")
else
  wanted=()
  for f in molecule/*/molecule.yml; do
    wanted+=("$(basename "$(dirname "$f")")")
  done
fi
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
    cat "$logs/$s.log"
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
  molecule test -s "$s" > "$logs/$s.log" 2>&1 &
  pid_of[$s]=$!
done
while [ "${#pid_of[@]}" -gt 0 ]; do
  wait -n -p done_pid; rc=$?
  finish "$done_pid" "$rc"
done

echo "=== Molecule: ${#queue[@]} scenarios, $jobs at a time, in $(( $(date +%s) - started )) s"
if [ "${#failed[@]}" -gt 0 ]; then
  for s in "${failed[@]}"; do
    echo "=== FAILED: $s (last lines of $logs/$s.log)"
    tail -n 80 "$logs/$s.log"
  done
  exit 1
fi
