#!/usr/bin/env bash
# Build the Galaxy tarball, install it into a temporary path (not the source
# tree) and use it the way a user would: ansible-doc for every module and one
# module run by its FQCN from the installed copy.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bin=$root/.venv/bin
# Output is parsed below: no colour codes, whatever the caller forces.
unset ANSIBLE_FORCE_COLOR
export ANSIBLE_NOCOLOR=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin/ansible-galaxy" collection build --force --output-path "$tmp/dist" . >/dev/null
tarball=$(ls "$tmp"/dist/matrix-federation-*.tar.gz)
echo "built $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB)"
# Only the temporary path: with the source tree's collections path in the
# environment, ansible-galaxy would find matrix.federation "already installed"
# there and install nothing. --no-deps: Galaxy is unreachable; the
# dependencies come from the `ansible` package.
export ANSIBLE_COLLECTIONS_PATH=$tmp/collections
"$bin/ansible-galaxy" collection install --force --no-deps -p "$tmp/collections" "$tarball" >/dev/null
installed=$tmp/collections/ansible_collections/matrix/federation
test -f "$installed/MANIFEST.json"
# The license every file header points to (LICENSES/...) and the top-level
# COPYING Galaxy shows must ship, readable, in the installed copy.
for license in COPYING LICENSES/GPL-3.0-or-later.txt; do
  if ! grep -q 'GNU GENERAL PUBLIC LICENSE' "$installed/$license"; then
    echo "tarball lacks the license text $license" >&2; exit 1
  fi
done
for leftover in molecule .venv lab Makefile; do
  if [ -e "$installed/$leftover" ]; then echo "tarball contains $leftover" >&2; exit 1; fi
done
for module in "$installed"/plugins/modules/*.py; do
  name=$(basename "$module" .py)
  "$bin/ansible-doc" -t module "matrix.federation.$name" >/dev/null
  echo "ansible-doc matrix.federation.$name: ok"
done
for lookup in "$installed"/plugins/lookup/*.py; do
  [ -e "$lookup" ] || continue
  name=$(basename "$lookup" .py)
  "$bin/ansible-doc" -t lookup "matrix.federation.$name" >/dev/null
  echo "ansible-doc -t lookup matrix.federation.$name: ok"
done
# One module by FQCN from the installed tarball: check mode must predict a
# new key without writing anything.
# The module runs with the venv's Python (it has cryptography), not whatever
# interpreter discovery would pick on this machine.
if ! out=$("$bin/ansible" localhost -c local -i localhost, --check \
    -e ansible_python_interpreter="$bin/python" \
    -m matrix.federation.matrix_signing_keys -a "path=$tmp/example.test.signing.key" 2>&1); then
  echo "$out" >&2
  exit 1
fi
echo "$out"
if ! grep -q '"changed": true' <<<"$out"; then
  echo "check mode did not predict a new key" >&2
  exit 1
fi
test ! -e "$tmp/example.test.signing.key"
echo "installed collection works"
