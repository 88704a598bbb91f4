# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which keys a report lets one trust: reports of real loopback servers, then edge cases of the plain data."""

import copy

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.keytrust import report_notes, trusted_server_keys
from ansible_collections.matrix.federation.plugins.module_utils._federation.report import internal_error_report
from ansible_collections.matrix.federation.plugins.module_utils._federation.tester import run_federation_tests


@pytest.fixture(scope='module')
def reports(keys_lab):
    lab = keys_lab
    names = [lab.good, lab.rogue, lab.mixed, lab.split, lab.srvports, lab.halfdown, lab.oldbad, lab.oldmissing]
    batch = run_federation_tests(names, nameservers=lab.nameservers, ca_path=lab.ca_path, timeout=3)
    return lab, batch['reports']


def _refusal(report):
    with pytest.raises(FederationError) as info:
        trusted_server_keys(report)
    assert report['server_name'] in info.value.message
    return info.value


def test_agreeing_verified_addresses_give_their_keys(reports):
    lab, by_name = reports
    identity = lab.identities[lab.good]
    assert len(by_name[lab.good]['connection_reports']) == 2
    assert trusted_server_keys(by_name[lab.good]) == {identity.key_id: identity.public}
    assert report_notes(by_name[lab.good]) == []


@pytest.mark.parametrize('label, code', [('rogue', 'KEYS_TLS_UNVERIFIED'), ('mixed', 'KEYS_TLS_UNVERIFIED'),
                                         ('split', 'KEYS_ADDRESSES_DISAGREE'), ('srvports', 'KEYS_ADDRESSES_DISAGREE'),
                                         ('oldbad', 'KEYS_RESPONSE_INVALID')])
def test_refusals(reports, label, code):
    lab, by_name = reports
    assert _refusal(by_name[getattr(lab, label)]).code == code


def test_disagreement_names_each_address_and_its_keys(reports):
    lab, by_name = reports
    message = _refusal(by_name[lab.split]).message
    for address, identity in zip(lab.split_ips, (lab.identities[lab.split], lab.split_other)):
        assert '%s:%d serves %s=%s' % (address, lab.port, identity.key_id, identity.public) in message


def test_an_unreachable_address_is_a_note_not_a_refusal(reports):
    lab, by_name = reports
    report = by_name[lab.halfdown]
    identity = lab.identities[lab.halfdown]
    assert trusted_server_keys(report) == {identity.key_id: identity.public}
    notes = report_notes(report)
    assert [n for n in notes if n.startswith('CONNECTION_REFUSED: %s:%d' % (lab.halfdown_ips[1], lab.port))], notes


def test_a_failed_check_without_a_coded_error_still_refuses(reports):
    lab, by_name = reports
    report = copy.deepcopy(by_name[lab.good])
    for conn in report['connection_reports'].values():
        conn['checks']['future_valid_until_ts'] = False
    error = _refusal(report)
    assert error.code == 'KEYS_RESPONSE_INVALID' and 'valid_until_ts is not in the future' in error.message


def test_padding_does_not_make_addresses_disagree(reports):
    lab, by_name = reports
    report = copy.deepcopy(by_name[lab.good])
    first = sorted(report['connection_reports'])[0]
    keys = report['connection_reports'][first]['verify_keys']
    for key_id in keys:
        keys[key_id] += '='
    assert trusted_server_keys(report) == trusted_server_keys(by_name[lab.good])


def test_no_address_at_all():
    error = _refusal(internal_error_report('example.org', RuntimeError('boom')))
    assert error.code == 'KEYS_UNAVAILABLE' and 'INTERNAL_ERROR' in error.message
