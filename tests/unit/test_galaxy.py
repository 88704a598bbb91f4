# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""galaxy.yml declares exactly the collections the shipped content uses, and a license Galaxy accepts."""

import os
import re

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
# What a user installs: Molecule scenarios, the lab and tests are not in the tarball.
SHIPPED = ('roles', 'playbooks', 'plugins')
_NAME = r'([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)\.[a-z][a-z0-9_]*'
USES = (
    # A task's or handler's module: `  community.general.ufw:` (YAML task files only).
    ('tasks', re.compile(r'^\s*(?:-\s+)?' + _NAME + r':', re.M)),
    # A filter or test in Jinja: `| ns.coll.name`, `is ns.coll.name`.
    ('jinja', re.compile(r'(?:\||\bis(?:\s+not)?)\s*' + _NAME + r'\b')),
    # A lookup: lookup('ns.coll.name', ...) / query(...) / q(...).
    ('jinja', re.compile(r'\b(?:lookup|query|q)\(\s*[\'"]' + _NAME + r'[\'"]')),
    # Python code of another collection.
    ('python', re.compile(r'\bansible_collections\.([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)\.')),
)
# Part of ansible-core or this collection: never declared.
BUILTIN = {'ansible.builtin', 'ansible.legacy', 'matrix.federation'}


def _kinds(path):
    parts = os.path.relpath(path, ROOT).split(os.sep)
    if path.endswith('.py'):
        return {'python'}
    if path.endswith('.j2'):
        return {'jinja'}
    if path.endswith(('.yml', '.yaml')):
        if parts[0] == 'playbooks' or (parts[0] == 'roles' and parts[2] in ('tasks', 'handlers')):
            return {'tasks', 'jinja'}
        return {'jinja'}
    return set()


def _galaxy():
    with open(os.path.join(ROOT, 'galaxy.yml'), encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def used_collections():
    """The collections the shipped files use (modules, filters, tests, lookups, Python), each with a file that does."""
    used = {}
    for top in SHIPPED:
        for directory, _dirs, files in os.walk(os.path.join(ROOT, top)):
            for name in sorted(files):
                path = os.path.join(directory, name)
                kinds = _kinds(path)
                if not kinds:
                    continue
                with open(path, encoding='utf-8') as handle:
                    text = handle.read()
                for kind, pattern in USES:
                    if kind not in kinds:
                        continue
                    for match in pattern.finditer(text):
                        collection = '%s.%s' % match.group(1, 2)
                        if collection not in BUILTIN:
                            used.setdefault(collection, os.path.relpath(path, ROOT))
    return used


def test_dependencies_are_the_collections_used():
    declared = set(_galaxy().get('dependencies') or {})
    used = used_collections()
    undeclared = sorted('%s (used in %s)' % (name, where) for name, where in used.items() if name not in declared)
    unused = sorted(declared - set(used))
    assert not undeclared, 'galaxy.yml dependencies lack: %s' % ', '.join(undeclared)
    assert not unused, 'galaxy.yml declares collections nothing uses: %s' % ', '.join(unused)


def test_dependencies_have_a_minimum_version():
    for name, spec in (_galaxy().get('dependencies') or {}).items():
        assert re.match(r'^>=\d+\.\d+\.\d+$', spec), '%s: %r is not a minimum (>=X.Y.Z)' % (name, spec)


def test_license_is_one_spdx_identifier_with_its_text_shipped():
    galaxy = _galaxy()
    # Galaxy accepts license (SPDX) or license_file, never both.
    assert 'license_file' not in galaxy
    assert galaxy['license'] == ['GPL-3.0-or-later']
    for path in ('COPYING', 'LICENSES/GPL-3.0-or-later.txt'):
        with open(os.path.join(ROOT, path), encoding='utf-8') as handle:
            assert 'GNU GENERAL PUBLIC LICENSE' in handle.read(200), path
        assert not any(path == ignored or path.startswith(ignored.rstrip('/') + '/')
                       for ignored in galaxy.get('build_ignore', [])), path
