# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""server_discovery lookup, run by ansible against the loopback lab: resolution records, errors, batches."""

from ansible_collections.matrix.federation.tests.unit.servers.run_lookup import run_lookup as _lookup


def test_server_discovery(federation_lab):
    value, output = _lookup(federation_lab, "query('matrix.federation.server_discovery', 'wksrv.lab.test', 'srv.lab.test', "
                                            "nameservers=ns, ca_path=ca, timeout=3)")
    assert value is not None, output
    assert [r['method'] for r in value] == ['well_known_srv', 'srv']
    assert value[0]['targets'][0]['host'] == 'target-wksrv.lab.test' and value[0]['targets'][0]['addresses']
    value, output = _lookup(federation_lab, "lookup('matrix.federation.server_discovery', 'srvdot.lab.test', "
                                            "nameservers=ns, timeout=3)")
    assert value is None and 'SRV_SERVICE_UNAVAILABLE' in output


def test_server_discovery_batch_with_slow_server(federation_lab):
    # The slow well-known (timeout 1 s) does not hold up the others beyond its own deadline.
    value, output = _lookup(federation_lab, "query('matrix.federation.server_discovery', 'wkslow.lab.test', "
                                            "'srvlegacy.lab.test', 'wkport.lab.test', nameservers=ns, ca_path=ca, timeout=1)")
    assert value is not None, output
    assert [r['method'] for r in value] == ['default', 'srv_legacy', 'well_known_port']
