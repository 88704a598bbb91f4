#!/usr/bin/env bash
# Build the lab base image localhost/matrix-federation-lab:bookworm when missing:
# Debian bookworm with systemd as PID 1, python3 and the modules' libraries.
# No registry is reachable, so the image is made with debootstrap + podman import.
set -euo pipefail
IMAGE=${LAB_IMAGE:-localhost/matrix-federation-lab:bookworm}
if podman image exists "$IMAGE"; then
  exit 0
fi
rootfs=$(mktemp -d /var/tmp/mf-rootfs.XXXXXX)
trap 'rm -rf "$rootfs"' EXIT
echo "building $IMAGE (debootstrap, about a minute)"
debootstrap --variant=minbase \
  --include=python3,python3-apt,python3-yaml,python3-dnspython,python3-cffi-backend,python3-cryptography,python3-requests,iproute2,iputils-ping,procps,sudo,systemd,systemd-sysv,dbus,ca-certificates,curl,openssl \
  bookworm "$rootfs" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >/dev/null \
  || { tail -n 30 "$rootfs/debootstrap/debootstrap.log" >&2; exit 1; }
# Units that make no sense in a container and slow its boot.
for unit in systemd-timesyncd.service getty@tty1.service apt-daily.timer apt-daily-upgrade.timer; do
  chroot "$rootfs" systemctl mask "$unit" >/dev/null 2>&1 || true
done
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
tar -C "$rootfs" -c . | podman import -q --change 'CMD ["/sbin/init"]' - "$IMAGE" >/dev/null
echo "built $IMAGE"
