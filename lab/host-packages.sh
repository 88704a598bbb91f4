#!/usr/bin/env bash
# Install the host packages the lab needs, only when missing (second runs are instant).
set -euo pipefail
# nftables and iproute2: the nftables_table unit tests run the real nft in a
# network namespace of their own (ip netns); openssl: a hostile-server test serves
# with openssl s_server a certificate Python's ssl refuses to load; chromium: `make browser` opens the HTML
# report in it, headless and offline.
pkgs=(podman runc debootstrap uidmap slirp4netns shellcheck nftables iproute2 openssl chromium)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "missing host packages: ${missing[*]} (run as root or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "installing host packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
