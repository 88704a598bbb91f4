# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""nftables_table run as a real process against the real nft, in a network
namespace of its own (`ip netns`), so the host's firewall is never touched."""

import json
import os
import shutil
import subprocess

import pytest

from ansible_collections.matrix.federation.tests.unit.servers.run_module import run_module

TABLE = """table inet mf_test
delete table inet mf_test

table inet mf_test {
    chain input {
        type filter hook input priority filter; policy accept;
        tcp dport %s accept comment "federation"
    }
}
"""


def _can_use_netns():
    if os.geteuid() != 0 or not shutil.which('nft') or not shutil.which('ip'):
        return False
    probe = subprocess.run(['ip', 'netns', 'list'], capture_output=True, check=False)
    return probe.returncode == 0


pytestmark = pytest.mark.skipif(not _can_use_netns(), reason='needs root, nft and ip netns (network namespaces)')


@pytest.fixture
def netns():
    name = 'mf-nft-%d-%d' % (os.getpid(), id(object()) % 100000)
    subprocess.run(['ip', 'netns', 'add', name], check=True)
    try:
        yield name
    finally:
        subprocess.run(['ip', 'netns', 'delete', name], check=False)


@pytest.fixture
def table_file(tmp_path):
    path = tmp_path / 'mf_test.nft'
    path.write_text(TABLE % 8448)
    return path


def nft(netns, *args):
    proc = subprocess.run(['ip', 'netns', 'exec', netns, 'nft'] + list(args), capture_output=True, text=True, check=False)
    return proc


def run(netns, tmp_path, check=False, diff=False, **args):
    args.setdefault('name', 'mf_test')
    args.setdefault('record_path', str(tmp_path / 'record.json'))
    args['_ansible_check_mode'] = check
    args['_ansible_diff'] = diff
    result, rc, stderr = run_module('nftables_table', args, tmp_path, prefix=['ip', 'netns', 'exec', netns])
    return result


def test_loads_then_is_idempotent(netns, tmp_path, table_file):
    first = run(netns, tmp_path, path=str(table_file))
    assert first['changed'] is True, first
    assert 'is not loaded' in first['reason']
    assert 'dport 8448 accept' in nft(netns, 'list', 'table', 'inet', 'mf_test').stdout
    record = json.loads((tmp_path / 'record.json').read_text())
    assert record['source'] == str(table_file) and 'dport 8448' in record['listing']
    again = run(netns, tmp_path, path=str(table_file))
    assert again == dict(again, changed=False, reason=None), again
    assert run(netns, tmp_path, check=True, path=str(table_file))['changed'] is False


def test_flushed_ruleset_is_noticed_and_repaired(netns, tmp_path, table_file):
    run(netns, tmp_path, path=str(table_file))
    assert nft(netns, 'flush', 'ruleset').returncode == 0
    predicted = run(netns, tmp_path, check=True, diff=True, path=str(table_file))
    assert predicted['changed'] is True and 'is not loaded' in predicted['reason'], predicted
    assert 'dport 8448' in predicted['diff']['after'] and predicted['diff']['before'] == ''
    assert nft(netns, 'list', 'table', 'inet', 'mf_test').returncode != 0, 'check mode loaded the table'
    repaired = run(netns, tmp_path, path=str(table_file))
    assert repaired['changed'] is True
    assert 'dport 8448 accept' in nft(netns, 'list', 'table', 'inet', 'mf_test').stdout


def test_rule_edited_by_hand_is_put_back(netns, tmp_path, table_file):
    run(netns, tmp_path, path=str(table_file))
    assert nft(netns, 'add', 'rule', 'inet', 'mf_test', 'input', 'tcp', 'dport', '9999', 'accept').returncode == 0
    result = run(netns, tmp_path, diff=True, path=str(table_file))
    assert result['changed'] is True and 'changed outside' in result['reason'], result
    assert 'dport 9999' in result['diff']['before'] and 'dport 9999' not in result['diff']['after']
    assert 'dport 9999' not in nft(netns, 'list', 'table', 'inet', 'mf_test').stdout


def test_counters_do_not_count_as_drift(netns, tmp_path):
    path = tmp_path / 'counted.nft'
    path.write_text(TABLE.replace('accept comment', 'counter accept comment') % 443)
    run(netns, tmp_path, path=str(path))
    # Traffic through the namespace's loopback bumps the counter.
    subprocess.run(['ip', 'netns', 'exec', netns, 'ip', 'link', 'set', 'lo', 'up'], check=True)
    subprocess.run(['ip', 'netns', 'exec', netns, 'python3', '-c',
                    'import socket; s=socket.socket(); s.settimeout(1)\ntry: s.connect(("127.0.0.1", 443))\nexcept OSError: pass'],
                   check=True)
    assert 'packets 0' not in nft(netns, 'list', 'table', 'inet', 'mf_test').stdout
    assert run(netns, tmp_path, path=str(path))['changed'] is False


def test_changed_file_is_loaded(netns, tmp_path, table_file):
    run(netns, tmp_path, path=str(table_file))
    table_file.write_text(TABLE % 443)
    result = run(netns, tmp_path, path=str(table_file))
    assert result['changed'] is True and 'changed since it was loaded' in result['reason'], result
    listing = nft(netns, 'list', 'table', 'inet', 'mf_test').stdout
    assert 'dport 443 accept' in listing and '8448' not in listing


def test_rejected_file_leaves_the_loaded_table(netns, tmp_path, table_file):
    run(netns, tmp_path, path=str(table_file))
    before = nft(netns, 'list', 'table', 'inet', 'mf_test').stdout
    bad = tmp_path / 'bad.nft'
    bad.write_text(TABLE.replace('accept comment', 'acept comment') % 443)
    result = run(netns, tmp_path, path=str(bad))
    assert result['failed'] is True and result['code'] == 'NFT_FILE_REJECTED', result
    assert 'nft rejected' in result['msg'] and 'left as it is' in result['msg']
    assert nft(netns, 'list', 'table', 'inet', 'mf_test').stdout == before


def test_other_tables_are_left_alone(netns, tmp_path, table_file):
    assert nft(netns, 'add', 'table', 'inet', 'admin').returncode == 0
    assert nft(netns, 'add', 'chain', 'inet', 'admin', 'mine').returncode == 0
    run(netns, tmp_path, path=str(table_file))
    run(netns, tmp_path, state='absent')
    ruleset = nft(netns, 'list', 'ruleset').stdout
    assert 'table inet admin' in ruleset and 'chain mine' in ruleset
    assert 'mf_test' not in ruleset


def test_absent_deletes_once(netns, tmp_path, table_file):
    run(netns, tmp_path, path=str(table_file))
    assert run(netns, tmp_path, check=True, state='absent')['changed'] is True
    assert nft(netns, 'list', 'table', 'inet', 'mf_test').returncode == 0, 'check mode deleted the table'
    assert run(netns, tmp_path, state='absent')['changed'] is True
    assert nft(netns, 'list', 'table', 'inet', 'mf_test').returncode != 0
    assert not (tmp_path / 'record.json').exists()
    assert run(netns, tmp_path, state='absent')['changed'] is False


def test_file_without_the_table_fails_clearly(netns, tmp_path):
    path = tmp_path / 'other.nft'
    path.write_text('table inet something_else {\n}\n')
    result = run(netns, tmp_path, path=str(path))
    assert result['failed'] is True and result['code'] == 'NFT_TABLE_NOT_IN_FILE', result


@pytest.mark.parametrize('args, words', [
    ({'name': 'bad name;'}, 'not a plain nftables identifier'),
    ({'path': '/nonexistent/x.nft'}, 'does not exist'),
    ({'family': 'ipx'}, 'value of family must be one of'),
    ({'path': None}, 'state is present but all of the following are missing: path'),
])
def test_bad_input_fails_cleanly(netns, tmp_path, table_file, args, words):
    merged = dict({'path': str(table_file)}, **args)
    if merged['path'] is None:
        del merged['path']
    result = run(netns, tmp_path, **merged)
    assert result['failed'] is True and words in result['msg'], result


def test_force_in_check_mode_predicts_the_load_of_a_file_not_written_yet(netns, tmp_path, table_file):
    missing = tmp_path / 'not-written-yet.nft'
    # The role writes the file in the task before; check mode skips that write.
    predicted = run(netns, tmp_path, check=True, path=str(missing), force=True)
    assert predicted['changed'] is True and 'about to be written' in predicted['reason']
    assert nft(netns, 'list', 'tables').stdout.strip() == ''
    # Without force, a missing file is still a clear error.
    failed = run(netns, tmp_path, check=True, path=str(missing))
    assert failed['failed'] and failed['code'] == 'NFT_FILE_MISSING'


def test_force_loads_again(netns, tmp_path, table_file):
    run(netns, tmp_path, path=str(table_file))
    assert run(netns, tmp_path, path=str(table_file))['changed'] is False
    forced = run(netns, tmp_path, path=str(table_file), force=True)
    assert forced['changed'] is True and forced['reason'] == 'force'
