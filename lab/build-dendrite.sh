#!/usr/bin/env bash
# Build Dendrite (github.com/matrix-org/dendrite, Apache-2.0) with the Go
# toolchain from the Go module proxy, once; the binaries are cached in
# .cache/dendrite/bin and copied into the full lab image.
set -euo pipefail
cd "$(dirname "$0")/.."
DENDRITE_VERSION=${DENDRITE_VERSION:-v0.13.8}
out=$PWD/.cache/dendrite/bin
tools=(dendrite generate-keys generate-config create-account)
missing=0
for tool in "${tools[@]}"; do [ -x "$out/$tool" ] || missing=1; done
[ "$missing" = 0 ] && exit 0
command -v go >/dev/null || { echo "Go is needed to build Dendrite (apt-get install golang or see CONTRIBUTING.md)" >&2; exit 1; }
echo "building Dendrite $DENDRITE_VERSION with Go (cached afterwards)"
mkdir -p "$out"
pkgs=()
for tool in "${tools[@]}"; do pkgs+=("github.com/matrix-org/dendrite/cmd/$tool@$DENDRITE_VERSION"); done
GOBIN=$out GOFLAGS=-buildvcs=false go install "${pkgs[@]}"
