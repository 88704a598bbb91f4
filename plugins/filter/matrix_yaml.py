# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Filters that edit a YAML file's text in place (comments and unmanaged keys kept)."""

from ansible.errors import AnsibleFilterError

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation import yamledit


def _plain(value):
    """Ansible's lazy/tagged containers and strings as plain Python values."""
    if isinstance(value, dict):
        return dict((str(key), _plain(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    return value


def _check(text, settings, name):
    if not isinstance(text, str):
        raise AnsibleFilterError('%s expects the YAML text as input, got %s' % (name, type(text).__name__))
    if not isinstance(settings, dict):
        raise AnsibleFilterError('%s expects a dict of settings, got %s' % (name, type(settings).__name__))


def matrix_yaml_set(text, settings, source='the YAML file'):
    """``text`` with every value of the nested dict ``settings`` set in place."""
    _check(text, settings, 'matrix_yaml_set')
    try:
        return yamledit.set_values(str(text), _plain(settings), str(source))
    except FederationError as exc:
        raise AnsibleFilterError(exc.message)


def matrix_yaml_unknown_keys(settings, reference_text):
    """Dotted names of the ``settings`` that do not exist in ``reference_text``."""
    _check(reference_text, settings, 'matrix_yaml_unknown_keys')
    try:
        return yamledit.unknown_paths(_plain(settings), str(reference_text))
    except Exception as exc:  # a YAML error in the reference
        raise AnsibleFilterError('matrix_yaml_unknown_keys: cannot read the reference: %s' % exc)


class FilterModule:
    def filters(self):
        return {
            'matrix_yaml_set': matrix_yaml_set,
            'matrix_yaml_unknown_keys': matrix_yaml_unknown_keys,
        }
