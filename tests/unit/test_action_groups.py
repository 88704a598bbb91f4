# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""meta/runtime.yml's `network` action group holds every module that takes all the network options, and only those.

module_defaults gives every member of a group every option set for the
group, so a member without one of them would fail ("Unsupported parameters").
Playing the group through ansible-playbook: tests/unit/playbooks/test_module_defaults.py.
"""

import ast
import os

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
MODULES = os.path.join(ROOT, 'plugins', 'modules')


def network_group():
    with open(os.path.join(ROOT, 'meta', 'runtime.yml'), encoding='utf-8') as handle:
        return yaml.safe_load(handle)['action_groups']['network']


def takes_every_network_option(source):
    """Whether a module builds its argument spec with network_argument_spec() and keeps the HTTPS options."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, 'id', None) == 'network_argument_spec':
            return not any(k.arg == 'ca_path' and isinstance(k.value, ast.Constant) and k.value.value is False
                           for k in node.keywords)
    return False


def _modules():
    for name in sorted(os.listdir(MODULES)):
        if name.endswith('.py'):
            with open(os.path.join(MODULES, name), encoding='utf-8') as handle:
                yield name[:-3], handle.read()


def test_group_is_the_modules_with_every_network_option():
    wanted = [name for name, source in _modules() if takes_every_network_option(source)]
    assert sorted(network_group()) == wanted
    assert 'matrix_srv_check' not in wanted


def test_members_document_the_group_and_the_options():
    members = set(network_group())
    for name, source in _modules():
        documented = 'matrix.federation.attributes.NETWORK_GROUP' in source
        assert documented == (name in members), name
        if name in members:
            assert '  - matrix.federation.network\n' in source, name
