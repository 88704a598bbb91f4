#!/usr/bin/env bash
# make demo / make demo-down: the federation lab (molecule/federation) for a
# person to watch and explore. `up` brings it up (or reuses it), runs
# playbooks/site.yml, tests the three servers, sends messages between every pair, runs
# check.yml from every side and prints a summary; the lab stays up until `down`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PWD/.venv/bin:$PATH
scenario=federation

case "${1:-up}" in
  up)
    start=$(date +%s)
    # Molecule remembers "created" even when the containers are gone (removed
    # by `make test`, a reboot): start from a clean lab unless all are there.
    for name in fed-dns fed-acme fed-hs1 fed-hs2 fed-hs3 fed-chk1 fed-chk2; do
      if ! podman container exists "$name"; then
        molecule destroy -s "$scenario" >/dev/null
        break
      fi
    done
    echo "==> Lab containers, DNS (dnsmasq), ACME CA (pebble), two Synapses and a Dendrite as admins install them"
    molecule create -s "$scenario"
    echo "==> playbooks/site.yml: signing keys, homeserver, reverse proxy + certbot, firewall, federation test"
    molecule converge -s "$scenario"
    echo "==> Federation tests from outside, messages between every pair of servers, check.yml from every side"
    molecule side-effect -s "$scenario"
    summary=$(find "$HOME/.ansible/tmp" -path "*.$scenario/lab/summary.txt" -printf '%T@ %p\n' 2>/dev/null \
      | sort -rn | head -n 1 | cut -d' ' -f2-)
    cat <<TXT

============================== matrix.federation demo ==============================
$(cat "$summary")

Done in $(( $(date +%s) - start )) s. The lab is still running:
  podman exec -it fed-hs1 bash                 # example.test: Synapse, nginx, ufw
  podman exec -it fed-hs2 bash                 # other.test: Synapse, Caddy, nftables
  podman exec -it fed-hs3 bash                 # third.test: Dendrite, nginx, firewalld
  podman exec fed-dns cat /var/log/dnsmasq-queries.log   # every DNS query, SRV included
  source .venv/bin/activate; export CONTAINERS_CONF=$CONTAINERS_CONF ANSIBLE_COLLECTIONS_PATH=$ANSIBLE_COLLECTIONS_PATH
  ansible localhost -m matrix.federation.matrix_federation_test \\
    -a 'server_name=other.test nameservers=10.89.30.2 ca_path=$(dirname "$summary")/federation-ca.pem'
  molecule converge -s $scenario               # re-run site.yml (idempotent)
  make demo-down                               # remove the lab
=====================================================================================
TXT
    ;;
  down)
    molecule destroy -s "$scenario"
    ;;
  *)
    echo "usage: $0 up|down" >&2
    exit 2
    ;;
esac
