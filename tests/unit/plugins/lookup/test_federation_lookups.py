# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""server_discovery and server_keys lookups, run by ansible against the loopback lab."""

import json
import os
import subprocess
import sys

import ansible_collections


def _lookup(lab, expression):
    """Evaluate a Jinja expression on localhost; return (value or None, output)."""
    env = dict(os.environ)
    env['ANSIBLE_COLLECTIONS_PATH'] = os.pathsep.join(os.path.dirname(p) for p in ansible_collections.__path__)
    env['ANSIBLE_LOCALHOST_WARNING'] = 'false'
    env['ANSIBLE_NOCOLOR'] = '1'
    env['ANSIBLE_LOAD_CALLBACK_PLUGINS'] = '1'
    env['ANSIBLE_STDOUT_CALLBACK'] = 'ansible.builtin.minimal'
    extra = json.dumps({'ns': lab.nameservers, 'ca': lab.ca_path})
    adhoc = os.path.join(os.path.dirname(sys.executable), 'ansible')
    proc = subprocess.run([adhoc, 'localhost', '-c', 'local', '-e', extra, '-e', 'ansible_python_interpreter=' + sys.executable,
                           '-m', 'ansible.builtin.debug', '-a', 'msg={{ (%s) | to_json }}' % expression],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    output = proc.stdout + proc.stderr
    assert 'Traceback (most recent call last)' not in output
    if proc.returncode != 0:
        return None, output
    body = proc.stdout[proc.stdout.index('{'):]
    return json.loads(json.loads(body)['msg']), output


def test_server_discovery(federation_lab):
    value, output = _lookup(federation_lab, "query('matrix.federation.server_discovery', 'wksrv.lab.test', 'srv.lab.test', "
                                            "nameservers=ns, ca_path=ca, timeout=3)")
    assert value is not None, output
    assert [r['method'] for r in value] == ['well_known_srv', 'srv']
    assert value[0]['targets'][0]['host'] == 'target-wksrv.lab.test' and value[0]['targets'][0]['addresses']
    value, output = _lookup(federation_lab, "lookup('matrix.federation.server_discovery', 'srvdot.lab.test', "
                                            "nameservers=ns, timeout=3)")
    assert value is None and 'SRV_SERVICE_UNAVAILABLE' in output


def test_server_keys(federation_lab):
    name = 'explicit.lab.test:8443'
    identity = federation_lab.identities[name]
    value, output = _lookup(federation_lab, "query('matrix.federation.server_keys', '%s', nameservers=ns, ca_path=ca, "
                                            "timeout=3)" % name)
    assert value == [{identity.key_id: identity.public}], output
    value, output = _lookup(federation_lab, "query('matrix.federation.server_keys', 'badsig.lab.test:8443', "
                                            "nameservers=ns, ca_path=ca, timeout=3)")
    assert value is None and 'KEYS_SIGNATURE_INVALID' in output


def test_server_keys_batch_keeps_term_order(federation_lab):
    names = ['explicit.lab.test:8443', 'srv.lab.test', 'wksrv.lab.test']
    value, output = _lookup(federation_lab, "query('matrix.federation.server_keys', %s, nameservers=ns, ca_path=ca, "
                                            "timeout=3, concurrency=2)" % ', '.join("'%s'" % n for n in names))
    assert value == [{federation_lab.identities[n].key_id: federation_lab.identities[n].public} for n in names], output


def test_server_discovery_batch_with_slow_server(federation_lab):
    # The slow well-known (timeout 1 s) does not hold up the others beyond its own deadline.
    value, output = _lookup(federation_lab, "query('matrix.federation.server_discovery', 'wkslow.lab.test', "
                                            "'srvlegacy.lab.test', 'wkport.lab.test', nameservers=ns, ca_path=ca, timeout=1)")
    assert value is not None, output
    assert [r['method'] for r in value] == ['default', 'srv_legacy', 'well_known_port']
