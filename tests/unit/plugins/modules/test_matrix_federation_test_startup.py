# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""matrix_federation_test's start-up: what a run imports, and the missing-library refusal before any traffic.

The module runs as a real subprocess against the loopback lab with
``python -X importtime``, which lists on stderr every module the process
imports (in any thread); nothing is timed here.
"""

import json
import os
import subprocess
import sys

import ansible_collections
import pytest

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.matrix.federation.tests.unit.servers.run_module import HERE as SERVERS, run_module

FEDERATION = 'ansible_collections.matrix.federation.plugins.module_utils._federation.'
# Runs the module (the first argument) after making the modules named in the
# environment variable HIDE unimportable, as if they were not installed.
HIDING = ('import os, runpy, sys; '
          'sys.modules.update((name, None) for name in os.environ["HIDE"].split(",")); '
          'sys.argv = sys.argv[1:]; '
          'runpy.run_path(sys.argv[0], run_name="__main__")')


def _args(lab, name, **extra):
    args = {'server_name': name, 'nameservers': lab.nameservers, 'ca_path': lab.ca_path, 'timeout': 3}
    args.update(extra)
    return args


def _imported(stderr):
    """The names of the modules a ``-X importtime`` run imported.

    A module imported by ``importlib.import_module`` (as runctx.load_library
    does) is not listed, only the modules its code imports in turn: look
    libraries up by their package's prefix.
    """
    return set(line.rsplit('|', 1)[1].strip() for line in stderr.splitlines() if line.startswith('import time:')
               and not line.rstrip().endswith('| imported package'))


def _of(package, imported):
    return [name for name in imported if name == package or name.startswith(package + '.')]


def _run_importtime(lab, name, tmp_path, **extra):
    result, rc, stderr = run_module('matrix_federation_test', _args(lab, name, **extra), tmp_path,
                                    python_args=('-X', 'importtime'))
    assert rc == 0 and result['federation_ok'], result
    return result, _imported(stderr)


def test_ip_literal_run_imports_no_dns_library_and_no_notary_code(federation_lab, tmp_path):
    result, imported = _run_importtime(federation_lab, federation_lab.labels['ip_literal_v4'], tmp_path)
    assert result['resolution']['method'] == 'ip_literal'
    # The certificate was checked: cryptography was imported (the listing is complete).
    assert _of('cryptography', imported)
    assert result['connection_reports'][next(iter(result['connection_reports']))]['certificates']
    assert not _of('dns', imported)
    assert FEDERATION + 'dnsclient' in imported  # the client is made (it checks the options), never asked
    for unused in ('notary', 'keytrust', 'wellknown_fetch', 'wellknown_served'):
        assert FEDERATION + unused not in imported


def test_dns_name_run_imports_no_dns_library_and_no_notary_code(federation_lab, tmp_path):
    result, imported = _run_importtime(federation_lab, 'wksrv.lab.test', tmp_path)
    assert result['resolution']['method'] == 'well_known_srv'
    assert _of('cryptography', imported) and FEDERATION + 'wellknown_fetch' in imported
    # The DNS answers (SRV, A/AAAA, through the well-known) were read by the collection's own codec.
    assert FEDERATION + 'dnswire' in imported and not _of('dns', imported)
    assert FEDERATION + 'notary' not in imported and FEDERATION + 'keytrust' not in imported
    # The well-known documents' own rules (matrix_wellknown's) are not the delegation's.
    assert FEDERATION + 'wellknown' not in imported and FEDERATION + 'wellknown_served' not in imported


def _payload_library(module, tmp_path):
    """The collection's module_utils (short names) in the payload the controller builds for ``module``."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.pathsep.join(
        os.path.dirname(path) for path in ansible_collections.__path__), TMPDIR=str(tmp_path))
    proc = subprocess.run([sys.executable, os.path.join(SERVERS, 'payload.py'), 'files', module], capture_output=True,
                          text=True, env=env, timeout=120, check=True)
    prefix = FEDERATION.replace('.', '/')
    return set(name[len(prefix):-3] for name in json.loads(proc.stdout) if name.startswith(prefix))


def test_payload_holds_only_the_tester_code(tmp_path):
    # The controller parses every module_utils file the module can reach to build the payload, and the host
    # receives and unpacks it: on each run, before the first packet. The tester's payload leaves out the
    # library of the other modules.
    ours = _payload_library('matrix.federation.matrix_federation_test', tmp_path)
    assert {'tester', 'discovery', 'probes', 'checks', 'notary', 'dnswire', 'httpwire'} <= ours
    for other in ('wellknown', 'wellknown_served', 'wellknown_files', 'keyplan', 'keyformat', 'fileutil',
                  'homeserver_config', 'render', 'render_html', 'signed_request', 'yamledit'):
        assert other not in ours, other


def test_notaries_load_the_notary_code(notary_lab, tmp_path):
    notary = notary_lab.notary('startup-notary')
    args = {'server_name': notary_lab.origin, 'nameservers': notary_lab.nameservers, 'ca_path': notary_lab.ca_path,
            'timeout': 4, 'notaries': [notary.name]}
    result, rc, stderr = run_module('matrix_federation_test', args, tmp_path, python_args=('-X', 'importtime'))
    assert rc == 0 and result['notaries'][notary.name]['current_key_present'] is True
    assert {FEDERATION + 'notary', FEDERATION + 'keytrust'} <= _imported(stderr)


def test_runs_without_dnspython(federation_lab, tmp_path, monkeypatch):
    # A managed host without python3-dnspython: every resolution path still works.
    monkeypatch.setenv('HIDE', 'dns')
    for label in ('wksrv', 'srvcname', 'srvtwo', 'explicit'):
        name = federation_lab.labels[label]
        result, rc, dummy = run_module('matrix_federation_test', _args(federation_lab, name), tmp_path,
                                       python_args=('-c', HIDING))
        assert rc == 0 and result['federation_ok'], (label, result)


@pytest.mark.parametrize('hidden,library', [('cryptography', 'cryptography')])
def test_missing_library_refused_before_any_traffic(federation_lab, tmp_path, monkeypatch, hidden, library):
    name = federation_lab.labels['explicit']
    sites = federation_lab.sites_by_name[name]
    connections = sum(site.connections for site in sites)
    queries = len(federation_lab.dns.queries)
    monkeypatch.setenv('HIDE', hidden)
    result, rc, dummy = run_module('matrix_federation_test', _args(federation_lab, name), tmp_path,
                                   python_args=('-c', HIDING))
    assert rc == 1 and result['failed']
    assert result['msg'] == missing_required_lib(library)
    assert sum(site.connections for site in sites) == connections
    assert len(federation_lab.dns.queries) == queries
