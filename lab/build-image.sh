#!/usr/bin/env bash
# Build the lab images when missing (second runs reuse them):
#   localhost/matrix-federation-lab:bookworm       Debian bookworm, systemd as PID 1,
#                                                  python3 and the modules' libraries
#   localhost/matrix-federation-lab-full:bookworm  + nginx, caddy, certbot, dnsmasq, pebble,
#                                                  nftables (all disabled) and Synapse in
#                                                  /opt/venvs/matrix-synapse (pip), Dendrite in /usr/local/bin
# No registry is reachable, so the base is made with debootstrap + podman import.
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${LAB_IMAGE:-localhost/matrix-federation-lab:bookworm}
FULL=${LAB_FULL_IMAGE:-localhost/matrix-federation-lab-full:bookworm}
SYNAPSE_VERSION=${SYNAPSE_VERSION:-1.163.2}
HOST_CA=/etc/ssl/certs/ca-certificates.crt
# An image is rebuilt when the recipe (this script + versions) changes.
RECIPE=$(cat "$0" lab/build-dendrite.sh | sha256sum | cut -c1-16)-$SYNAPSE_VERSION

is_current() {
  podman image exists "$1" &&
    [ "$(podman image inspect --format '{{ index .Config.Labels "matrix-federation.recipe" }}' "$1" 2>/dev/null)" = "$RECIPE" ]
}

build_base() {
  local rootfs
  rootfs=$(mktemp -d /var/tmp/mf-rootfs.XXXXXX)
  trap 'rm -rf "$rootfs"' RETURN
  echo "building $BASE (debootstrap, about a minute)"
  debootstrap --variant=minbase \
    --include=python3,python3-apt,python3-yaml,python3-cffi-backend,python3-cryptography,python3-requests,iproute2,iputils-ping,procps,sudo,systemd,systemd-sysv,dbus,ca-certificates,curl,openssl \
    bookworm "$rootfs" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >/dev/null \
    || { tail -n 30 "$rootfs/debootstrap/debootstrap.log" >&2; return 1; }
  # Units that make no sense in a container and slow its boot.
  for unit in systemd-timesyncd.service getty@tty1.service apt-daily.timer apt-daily-upgrade.timer; do
    chroot "$rootfs" systemctl mask "$unit" >/dev/null 2>&1 || true
  done
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | podman import -q --change 'CMD ["/sbin/init"]' \
    --change "LABEL matrix-federation.recipe=$RECIPE" - "$BASE" >/dev/null
  echo "built $BASE"
}

build_full() {
  local name=mf-image-build-$$
  echo "building $FULL (apt + pip, under a minute)"
  bash lab/build-dendrite.sh
  podman rm -f "$name" >/dev/null 2>&1 || true
  podman run --name "$name" -v "$HOST_CA:/host-ca.crt:ro" -e PIP_CERT=/host-ca.crt \
    -v "$PWD/.cache/dendrite/bin:/dendrite-bin:ro" \
    "$BASE" bash -euc "
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq --no-install-recommends nginx caddy certbot dnsmasq pebble nftables \
        python3-venv sqlite3 libjpeg62-turbo libwebp7 openssh-server coturn >/dev/null
      # Installed for the hosts that run them beside Synapse (existing_server), started only there.
      for unit in nginx caddy dnsmasq nftables ssh coturn; do systemctl disable \$unit >/dev/null 2>&1 || true; done
      mkdir -p /opt/venvs
      python3 -m venv /opt/venvs/matrix-synapse
      /opt/venvs/matrix-synapse/bin/pip install -q --disable-pip-version-check 'matrix-synapse==$SYNAPSE_VERSION'
      install -m 0755 /dendrite-bin/* /usr/local/bin/
      # The package lists stay: roles install with cache_valid_time, which would
      # trust a fresh update stamp over empty lists.
      apt-get clean; rm -rf /root/.cache
    "
  podman commit -q --change 'CMD ["/sbin/init"]' \
    --change "LABEL matrix-federation.recipe=$RECIPE" "$name" "$FULL" >/dev/null
  podman rm -f "$name" >/dev/null
  echo "built $FULL"
}

if ! is_current "$BASE"; then
  build_base
fi
is_current "$FULL" || build_full
