# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""tests/unit mirrors plugins/: every library file, module, lookup and filter file has its own test file."""

import os

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
# plugins/<dir>/X.py is tested in tests/unit/plugins/<dir>/test_X.py, or in test_X_<aspect>.py files.
MIRRORED = ('module_utils/_federation', 'modules', 'lookup', 'filter')


def owners(plugins, test_files):
    """Map each test file to the plugin it tests: the longest name X with the file test_X.py or test_X_*.py.

    So test_wellknown_fetch.py is wellknown_fetch's, never an aspect of
    wellknown. A test file no name fits maps to None.
    """
    owned = {}
    for test_file in test_files:
        stem = test_file[len('test_'):-len('.py')]
        fits = [name for name in plugins if stem == name or stem.startswith(name + '_')]
        owned[test_file] = max(fits, key=len) if fits else None
    return owned


def untested(plugins, test_files):
    return sorted(set(plugins) - set(owners(plugins, test_files).values()))


def _listing(directory, suffixes):
    path = os.path.join(ROOT, directory)
    return sorted(name for name in os.listdir(path) if name.endswith(suffixes) and os.path.isfile(os.path.join(path, name)))


def _plugins(directory, suffixes=('.py',)):
    names = _listing(os.path.join('plugins', directory), suffixes)
    return [os.path.splitext(name)[0] for name in names if name != '__init__.py']


def _test_files(directory):
    return [name for name in _listing(os.path.join('tests', 'unit', 'plugins', directory), ('.py',))
            if name.startswith('test_')]


def test_every_plugin_file_has_its_test_file():
    missing = []
    for directory in MIRRORED:
        for name in untested(_plugins(directory), _test_files(directory)):
            missing.append('plugins/%s/%s.py has no tests/unit/plugins/%s/test_%s.py (nor test_%s_<aspect>.py)'
                           % (directory, name, directory, name, name))
    assert not missing, '\n'.join(missing)


def test_every_test_file_mirrors_a_plugin_file():
    # A filter's documentation (plugins/filter/NAME.yml) names it too: test_NAME.py may test that filter alone.
    strays = []
    for directory in MIRRORED:
        for test_file, owner in sorted(owners(_plugins(directory, ('.py', '.yml')), _test_files(directory)).items()):
            if owner is None:
                strays.append('tests/unit/plugins/%s/%s mirrors no file of plugins/%s/' % (directory, test_file, directory))
    assert not strays, '\n'.join(strays)


def test_the_mirror_is_where_the_plugins_are():
    for directory in MIRRORED:
        assert _plugins(directory), 'plugins/%s/ is empty or gone: update MIRRORED' % directory


def test_an_aspect_file_does_not_stand_for_a_shorter_name():
    plugins = ['wellknown', 'wellknown_fetch', 'keyformat']
    assert owners(plugins, ['test_wellknown_fetch.py', 'test_keyformat_dendrite.py', 'test_keys.py']) == {
        'test_wellknown_fetch.py': 'wellknown_fetch', 'test_keyformat_dendrite.py': 'keyformat', 'test_keys.py': None}
    assert untested(plugins, ['test_wellknown_fetch.py', 'test_keyformat_dendrite.py']) == ['wellknown']
    assert untested(plugins, ['test_wellknown.py', 'test_wellknown_fetch.py', 'test_keyformat.py']) == []
