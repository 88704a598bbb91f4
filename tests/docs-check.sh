#!/usr/bin/env bash
# ansible-doc renders every filter, lookup, module and role of the source tree
# without an error or a warning. The names come from the tree (the filters
# from each FilterModule, the rest from file and directory names), so a new
# plugin or role is checked without changing this script.
# VENV_BIN: the bin directory of the venv whose ansible-doc to use (default .venv/bin).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bin=${VENV_BIN:-$root/.venv/bin}
unset ANSIBLE_FORCE_COLOR
export ANSIBLE_NOCOLOR=1
export ANSIBLE_COLLECTIONS_PATH=$root/.build/collections
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Filters are functions of FilterModule classes: ask the classes.
filters=$(PYTHONPATH=$root/.build/collections "$bin/python" - <<'PY'
import glob
import importlib
import os

names = set()
for path in sorted(glob.glob('plugins/filter/*.py')):
    module = importlib.import_module('ansible_collections.matrix.federation.plugins.filter.'
                                     + os.path.basename(path)[:-3])
    names.update(module.FilterModule().filters())
print(' '.join(sorted(names)))
PY
)
lookups=$(for f in plugins/lookup/*.py; do basename "$f" .py; done)
modules=$(for f in plugins/modules/*.py; do basename "$f" .py; done)
roles=$(for d in roles/*/meta/argument_specs.yml; do basename "$(dirname "$(dirname "$d")")"; done)
role_dirs=(roles/*/)
[ "${#role_dirs[@]}" -eq "$(wc -w <<<"$roles")" ] || { echo "a role has no meta/argument_specs.yml" >&2; exit 1; }

failed=0
check() {  # check TYPE NAME...: text rendering (no stderr at all), then every name documented (JSON)
  local type=$1; shift
  local fqcns=("${@/#/matrix.federation.}")
  if ! "$bin/ansible-doc" -t "$type" "${fqcns[@]}" >"$tmp/out" 2>"$tmp/err" || [ -s "$tmp/err" ]; then
    echo "ansible-doc -t $type: error or warning:" >&2
    cat "$tmp/err" >&2
    failed=1
    return
  fi
  if ! "$bin/ansible-doc" -t "$type" --json "${fqcns[@]}" 2>"$tmp/err" >"$tmp/doc.json" || [ -s "$tmp/err" ]; then
    cat "$tmp/err" >&2
    failed=1
    return
  fi
  if ! "$bin/python" - "$type" "$tmp/doc.json" "${fqcns[@]}" <<'PY'
import json
import sys

kind, path, names = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(path, encoding='utf-8') as handle:
    docs = json.load(handle)
bad = []
for name in names:
    entry = docs.get(name) or {}
    # Roles document entry points; plugins a `doc` with a short description.
    documented = entry.get('entry_points', {}).get('main') if kind == 'role' else (entry.get('doc') or {}).get('short_description')
    if not documented:
        bad.append(name)
if bad:
    sys.exit('ansible-doc -t %s: no documentation for %s' % (kind, ', '.join(bad)))
PY
  then
    failed=1
    return
  fi
  echo "ansible-doc -t $type: $# documented, no warning ($*)"
}
# shellcheck disable=SC2086 # word splitting of the name lists is wanted
{
  check filter $filters
  check lookup $lookups
  check module $modules
  check role $roles
}
exit $failed
