# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every role's defaults/main.yml and meta/argument_specs.yml name the same
variables: a default the spec does not document is neither validated nor in
ansible-doc, and an option without a default is undefined in the role's tasks.
Where the spec states a default it is the one defaults/main.yml sets."""


import os

import pytest
import yaml

ROLES_DIR = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'roles')
ROLES = sorted(name for name in os.listdir(ROLES_DIR)
               if os.path.isfile(os.path.join(ROLES_DIR, name, 'meta', 'argument_specs.yml')))


def _load(role, *path):
    with open(os.path.join(ROLES_DIR, role, *path)) as handle:
        return yaml.safe_load(handle) or {}


def spec_options(role):
    """The options of the role's main entry point."""
    return _load(role, 'meta', 'argument_specs.yml')['argument_specs']['main'].get('options') or {}


def defaults(role):
    return _load(role, 'defaults', 'main.yml')


def differences(default_values, options):
    """(in defaults only, in the spec only, stated defaults that differ) as sorted lists."""
    only_defaults = sorted(set(default_values) - set(options))
    only_spec = sorted(set(options) - set(default_values))
    differing = sorted(name for name in set(default_values) & set(options)
                       if 'default' in options[name] and options[name]['default'] != default_values[name])
    return only_defaults, only_spec, differing


def test_every_role_is_checked():
    assert set(ROLES) >= {'firewall', 'homeserver', 'reverse_proxy', 'tls'}


@pytest.mark.parametrize('role', ROLES)
def test_defaults_are_documented_in_the_spec(role):
    only_defaults, _only_spec, _differing = differences(defaults(role), spec_options(role))
    assert only_defaults == [], 'roles/%s/defaults/main.yml sets variables meta/argument_specs.yml does not ' \
                                'document: %s' % (role, ', '.join(only_defaults))


@pytest.mark.parametrize('role', ROLES)
def test_spec_options_have_defaults(role):
    _only_defaults, only_spec, _differing = differences(defaults(role), spec_options(role))
    assert only_spec == [], 'roles/%s/meta/argument_specs.yml documents variables defaults/main.yml does not ' \
                            'set: %s' % (role, ', '.join(only_spec))


@pytest.mark.parametrize('role', ROLES)
def test_stated_defaults_match(role):
    default_values, options = defaults(role), spec_options(role)
    _only_defaults, _only_spec, differing = differences(default_values, options)
    assert differing == [], ['%s: spec %r, defaults/main.yml %r' % (name, options[name]['default'], default_values[name])
                             for name in differing]


@pytest.mark.parametrize('role', ROLES)
def test_spec_states_every_non_null_default(role):
    """An option without ``default:`` in the spec is documented as null; defaults/main.yml agrees."""
    default_values, options = defaults(role), spec_options(role)
    unstated = sorted(name for name in set(default_values) & set(options)
                      if 'default' not in options[name] and default_values[name] is not None)
    assert unstated == [], 'roles/%s: the spec states no default for %s' % (role, ', '.join(unstated))


@pytest.mark.parametrize('default_values, options, expected', [
    ({'a': 1, 'b': 2}, {'a': {'default': 1}, 'b': {}}, ([], [], [])),
    ({'a': 1, 'extra': 2}, {'a': {'default': 1}}, (['extra'], [], [])),
    ({'a': 1}, {'a': {'default': 1}, 'missing': {'type': 'str'}}, ([], ['missing'], [])),
    ({'a': 1}, {'a': {'default': 2}}, ([], [], ['a'])),
    ({}, {}, ([], [], [])),
])
def test_differences_are_found_in_either_direction(default_values, options, expected):
    assert differences(default_values, options) == expected


def spec_errors(role, provided):
    """The argument spec's refusals of ``provided``, as the role's entry point validates it."""
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
    result = ArgumentSpecValidator(spec_options(role)).validate(provided)
    return [str(error) for error in result.errors]


# The roles' preflight leaves choices to the spec (no assert repeats them).
@pytest.mark.parametrize('role, provided, fragment', [
    ('firewall', {'firewall_backend': 'iptables'}, 'firewall_backend must be one of'),
    ('firewall', {'firewall_extra_ports': [{'port': 9000, 'proto': 'TCP'}]}, 'proto must be one of'),
    ('homeserver', {'homeserver_backend': 'conduit'}, 'homeserver_backend must be one of'),
    ('tls', {'tls_challenge': 'dns-01'}, 'tls_challenge must be one of'),
    ('reverse_proxy', {'reverse_proxy_backend': 'apache'}, 'reverse_proxy_backend must be one of'),
])
def test_spec_refuses_choices(role, provided, fragment):
    errors = spec_errors(role, provided)
    assert any(fragment in error for error in errors), errors


# The spec converts these for its check only: the role sees the value as given,
# so the preflight asserts that refuse them are not repeats of the spec.
@pytest.mark.parametrize('role, provided', [
    ('firewall', {'firewall_sources': '10.0.0.0/8'}),
    ('firewall', {'firewall_extra_ports': [{'port': '9000'}]}),
    ('homeserver', {'homeserver_federation_rate_limit': '5'}),
    ('homeserver', {'homeserver_eltrix_log_federation': 'yes'}),
    ('homeserver', {'homeserver_config_override': 'a=b'}),
])
def test_spec_accepts_values_the_role_sees_unconverted(role, provided):
    assert spec_errors(role, provided) == []
