# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""requirements.txt and bindep.txt list exactly the third-party libraries plugins/ imports."""

import ast
import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
# Top-level import name -> the distribution requirements.txt names, and its distribution packages.
LIBRARIES = {
    'cryptography': ('cryptography', {'python3-cryptography [platform:dpkg]', 'python3-cryptography [platform:rpm]'}),
    'yaml': ('PyYAML', {'python3-yaml [platform:dpkg]', 'python3-pyyaml [platform:rpm]'}),
}
# ansible-core itself requires these: nothing to install on top of Ansible.
WITH_ANSIBLE = {'ansible', 'ansible_collections', 'jinja2'}


def imported_libraries():
    """Top-level names of the non-standard-library modules imported under plugins/, each with one importing file."""
    found = {}
    for directory, _dirs, files in os.walk(os.path.join(ROOT, 'plugins')):
        for name in sorted(files):
            if not name.endswith('.py'):
                continue
            path = os.path.join(directory, name)
            with open(path, encoding='utf-8') as handle:
                tree = ast.parse(handle.read(), path)
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and not node.level:
                    names = [node.module]
                else:
                    continue
                for top in (n.split('.')[0] for n in names):
                    if top not in sys.stdlib_module_names and top not in WITH_ANSIBLE:
                        found.setdefault(top, os.path.relpath(path, ROOT))
    return found


def _lines(name):
    with open(os.path.join(ROOT, name), encoding='utf-8') as handle:
        return [line.strip() for line in handle if line.strip() and not line.startswith('#')]


def test_requirements_are_what_plugins_import():
    imported = imported_libraries()
    unknown = sorted('%s (%s)' % item for item in imported.items() if item[0] not in LIBRARIES)
    assert not unknown, 'imported but not in LIBRARIES (add it, requirements.txt and bindep.txt): %s' % unknown
    wanted = sorted(LIBRARIES[name][0] for name in imported)
    listed = sorted(re.split(r'[<>=!~ ;\[]', line)[0] for line in _lines('requirements.txt'))
    assert listed == wanted


def test_bindep_has_a_package_for_each_requirement():
    bindep = set(_lines('bindep.txt'))
    for name in imported_libraries():
        missing = LIBRARIES[name][1] - bindep
        assert not missing, 'bindep.txt lacks %s' % ', '.join(sorted(missing))
    # And no Python package the plugins do not import (python3-requests was one).
    wanted = set().union(*(LIBRARIES[name][1] for name in imported_libraries()))
    extra = sorted(line for line in bindep if line.startswith('python3-') and line not in wanted)
    assert not extra, 'bindep.txt installs what no plugin imports: %s' % ', '.join(extra)


def test_library_imports_nothing_from_ansible_core():
    # `make unit-oldest` skips tests/unit/plugins/module_utils under the oldest ansible-core for this reason.
    found = []
    library = os.path.join(ROOT, 'plugins', 'module_utils')
    for directory, _dirs, files in os.walk(library):
        for name in sorted(files):
            if name.endswith('.py'):
                path = os.path.join(directory, name)
                with open(path, encoding='utf-8') as handle:
                    tree = ast.parse(handle.read(), path)
                for node in ast.walk(tree):
                    names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                             else [node.module or ''] if isinstance(node, ast.ImportFrom) else [])
                    if any(n == 'ansible' or n.startswith('ansible.') for n in names):
                        found.append(os.path.relpath(path, ROOT))
    assert not found, 'module_utils importing ansible-core (then run its tests in unit-oldest too): %s' % found
