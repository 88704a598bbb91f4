#!/usr/bin/env bash
# Run `ansible-test sanity` on the collection (arguments are passed through,
# e.g. file names to test only those). VENV_BIN: the bin directory of the venv
# whose ansible-test to use (default .venv/bin; `make test-oldest` gives the
# oldest supported ansible-core's).
# ansible-test resolves its working directory physically (os.getcwd), so a
# symlink named ansible_collections/matrix/federation is not enough: the
# files git would commit (tracked + new, minus .gitignore) are copied to a
# private .build/sanity.*/ansible_collections/matrix/federation and tested
# there, so parallel runs never share a tree.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bin=${VENV_BIN:-$root/.venv/bin}
mkdir -p "$root/.build"
work=$(mktemp -d "$root/.build/sanity.XXXXXX")
trap 'rm -rf "$work"' EXIT
dest=$work/ansible_collections/matrix/federation
mkdir -p "$dest"
# Files deleted in the work tree but still in the index are skipped.
git ls-files -z -co --exclude-standard \
  | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
  | tar --null -T - -c | tar -x -C "$dest"
cd "$dest"
git init -q . && git add -A >/dev/null
"$bin/ansible-test" sanity --python 3.11 --local --color yes "$@"
