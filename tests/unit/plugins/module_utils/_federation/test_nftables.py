# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""nftables.py: table names, the nft commands, and ensure_table's decisions against a fake kernel (no root needed;
the real nft is exercised by tests/unit/plugins/modules/test_nftables_table.py and the firewall scenarios)."""

import json
import os
import re
import stat

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.nftables import (
    RECORD_DIR,
    Nft,
    check_table_name,
    default_record_path,
    ensure_table,
)

TABLE = 'table inet mf {\n    chain input {\n        tcp dport %d accept\n    }\n}\n'


class FakeKernel:
    """``run(argv)`` as AnsibleModule.run_command for nft; a loaded file's tables list as the file's text."""

    def __init__(self):
        self.tables = {}
        self.calls = []

    def run(self, argv):
        self.calls.append(argv[1:])
        args = argv[1:]
        if args[:3] == ['--stateless', 'list', 'table']:
            key = tuple(args[3:5])
            if key in self.tables:
                return 0, self.tables[key], ''
            return 1, '', 'Error: No such file or directory\nlist table %s %s' % key
        if args[:2] == ['--check', '--file']:
            text = open(args[2]).read()
            return (1, '', 'Error: syntax error, unexpected acept') if 'acept' in text else (0, '', '')
        if args[0] == '--file':
            text = open(args[1]).read()
            for family, name in re.findall(r'^table (\S+) (\S+) \{', text, re.M):
                self.tables[(family, name)] = text
            return 0, '', ''
        if args[:2] == ['delete', 'table']:
            return (0, '', '') if self.tables.pop(tuple(args[2:4]), None) else (1, '', 'Error: No such file or directory')
        raise AssertionError('unexpected nft call %r' % (argv,))

    def loads(self):
        return [call for call in self.calls if call[0] == '--file']


@pytest.fixture
def kernel():
    return FakeKernel()


@pytest.fixture
def table_file(tmp_path):
    path = tmp_path / 'mf.nft'
    path.write_text(TABLE % 8448)
    return path


def ensure(kernel, tmp_path, path, **kwargs):
    kwargs.setdefault('record_path', str(tmp_path / 'records' / 'mf.json'))
    return ensure_table(Nft(kernel.run, '/usr/sbin/nft'), 'inet', 'mf', path=str(path), **kwargs)


@pytest.mark.parametrize('name', ['mf', 'federation', 'A_b.c-9', 'x' * 64])
def test_plain_names_are_accepted(name):
    check_table_name('inet', name)


@pytest.mark.parametrize('family, name, code', [
    ('ipx', 'mf', 'NFT_BAD_FAMILY'),
    ('inet', '', 'NFT_BAD_NAME'),
    ('inet', None, 'NFT_BAD_NAME'),
    ('inet', '1mf', 'NFT_BAD_NAME'),
    ('inet', 'bad name;', 'NFT_BAD_NAME'),
    ('inet', 'x' * 65, 'NFT_BAD_NAME'),
])
def test_bad_family_or_name(family, name, code):
    with pytest.raises(FederationError) as info:
        check_table_name(family, name)
    assert info.value.code == code


def test_default_record_path():
    assert default_record_path('inet', 'federation') == os.path.join(RECORD_DIR, 'nftables-inet-federation.json')


def test_first_load_then_nothing_to_do(kernel, tmp_path, table_file):
    first = ensure(kernel, tmp_path, table_file)
    assert first == {'changed': True, 'reason': 'table inet mf is not loaded', 'before': '', 'after': TABLE % 8448}
    assert kernel.calls[0][:3] == ['--stateless', 'list', 'table']
    assert kernel.loads() == [['--file', str(table_file)]]
    record_path = tmp_path / 'records' / 'mf.json'
    record = json.loads(record_path.read_text())
    assert record['source'] == str(table_file) and record['listing'] == TABLE % 8448
    assert len(record['source_sha256']) == 64
    assert stat.S_IMODE(os.stat(str(record_path)).st_mode) == 0o644
    again = ensure(kernel, tmp_path, table_file)
    assert again == {'changed': False, 'reason': None, 'before': TABLE % 8448, 'after': TABLE % 8448}
    assert len(kernel.loads()) == 1


def test_check_mode_predicts_and_changes_nothing(kernel, tmp_path, table_file):
    predicted = ensure(kernel, tmp_path, table_file, check_mode=True)
    assert predicted['changed'] is True and predicted['after'] == TABLE % 8448
    assert kernel.loads() == [] and kernel.tables == {}
    assert not (tmp_path / 'records').exists()


@pytest.mark.parametrize('drift, reason', [
    ('flush', 'table inet mf is not loaded'),
    ('edit', 'table inet mf was changed outside this module'),
    ('file', ' changed since it was loaded'),
    ('record', 'no record of loading '),
    ('garbage', 'no record of loading '),
    ('list', 'no record of loading '),
])
def test_every_drift_loads_again(kernel, tmp_path, table_file, drift, reason):
    ensure(kernel, tmp_path, table_file)
    record_path = tmp_path / 'records' / 'mf.json'
    if drift == 'flush':
        kernel.tables.clear()
    elif drift == 'edit':
        kernel.tables[('inet', 'mf')] += '# tcp dport 9999 accept\n'
    elif drift == 'file':
        table_file.write_text(TABLE % 443)
    elif drift == 'record':
        record_path.unlink()
    elif drift == 'garbage':
        record_path.write_text('{not json')
    else:
        record_path.write_text('[]')
    result = ensure(kernel, tmp_path, table_file)
    assert result['changed'] is True and reason in result['reason'], result
    assert len(kernel.loads()) == 2
    assert json.loads(record_path.read_text())['listing'] == kernel.tables[('inet', 'mf')]


def test_force_loads_an_unchanged_table(kernel, tmp_path, table_file):
    ensure(kernel, tmp_path, table_file)
    assert ensure(kernel, tmp_path, table_file, force=True)['reason'] == 'force'
    assert len(kernel.loads()) == 2


def test_rejected_file_is_never_loaded(kernel, tmp_path, table_file):
    ensure(kernel, tmp_path, table_file)
    table_file.write_text((TABLE % 443).replace('accept', 'acept'))
    with pytest.raises(FederationError) as info:
        ensure(kernel, tmp_path, table_file)
    assert info.value.code == 'NFT_FILE_REJECTED' and 'left as it is' in info.value.message
    assert 'unexpected acept' in info.value.message
    assert len(kernel.loads()) == 1 and '8448' in kernel.tables[('inet', 'mf')]


def test_missing_file(kernel, tmp_path):
    with pytest.raises(FederationError) as info:
        ensure(kernel, tmp_path, tmp_path / 'missing.nft')
    assert info.value.code == 'NFT_FILE_MISSING'
    # check mode + force: a task before writes the file; the load is predicted without asking nft about it.
    predicted = ensure(kernel, tmp_path, tmp_path / 'missing.nft', check_mode=True, force=True)
    assert predicted['changed'] is True and predicted['reason'].endswith('missing.nft is about to be written')
    assert [call for call in kernel.calls if call[0] != '--stateless'] == []


def test_file_without_the_table(kernel, tmp_path):
    other = tmp_path / 'other.nft'
    other.write_text('table inet something_else {\n}\n')
    with pytest.raises(FederationError) as info:
        ensure(kernel, tmp_path, other)
    assert info.value.code == 'NFT_TABLE_NOT_IN_FILE'
    assert not (tmp_path / 'records' / 'mf.json').exists()


def test_absent_deletes_the_table_and_its_record(kernel, tmp_path, table_file):
    ensure(kernel, tmp_path, table_file)
    kernel.tables[('inet', 'admin')] = 'table inet admin {\n}\n'
    predicted = ensure(kernel, tmp_path, table_file, state='absent', check_mode=True)
    assert predicted == {'changed': True, 'reason': 'table is loaded', 'before': TABLE % 8448, 'after': ''}
    assert ('inet', 'mf') in kernel.tables
    assert ensure(kernel, tmp_path, table_file, state='absent')['changed'] is True
    assert list(kernel.tables) == [('inet', 'admin')]
    assert not (tmp_path / 'records' / 'mf.json').exists()
    assert ensure(kernel, tmp_path, table_file, state='absent') == {'changed': False, 'reason': None, 'before': '',
                                                                    'after': ''}


@pytest.mark.parametrize('call, args, code', [
    ('listing', ('inet', 'mf'), 'NFT_LIST_FAILED'),
    ('load_file', ('/etc/mf.nft',), 'NFT_LOAD_FAILED'),
    ('delete_table', ('inet', 'mf'), 'NFT_DELETE_FAILED'),
])
def test_nft_failures_are_coded_with_nfts_words(call, args, code):
    seen = []

    def broken(argv):
        seen.append(argv)
        return 1, '', 'Error: Could not process rule: Operation not permitted\n'

    with pytest.raises(FederationError) as info:
        getattr(Nft(broken, '/sbin/nft'), call)(*args)
    assert info.value.code == code and info.value.message.endswith('Operation not permitted')
    assert seen[0][0] == '/sbin/nft'
