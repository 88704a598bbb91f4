# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a person reads of a report, as data (pure)."""

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation.render_outline import (
    catalogue_entry,
    outline_report,
    outline_reports,
    report_list,
    utc_from_ms,
)
from ansible_collections.matrix.federation.tests.unit.plugins.module_utils._federation.test_render_html import (
    CATALOGUE,
    samples,
)


def test_every_shape_of_input_gives_the_reports():
    a, b = {'server_name': 'a', 'federation_ok': True}, {'server_name': 'b', 'federation_ok': False}
    batch = {'federation_ok': False, 'reports': {'a': a, 'b': b}, 'summary': {}}
    assert report_list(a) == [a]
    assert report_list(batch) == report_list([a, b]) == report_list({'a': a, 'b': b}) == [a, b]
    assert report_list({'results': [a, b], 'changed': False}) == [a, b]
    # A loop over batches, and skipped items (no report) left out.
    assert report_list({'results': [batch, {'skipped': True, 'item': 'x', 'server_name': 'c'}]})[:2] == [a, b]
    assert report_list([batch, 'junk', None]) == [a, b]
    assert report_list(None) == report_list([]) == []


def test_catalogue_entry_of_a_known_and_an_unknown_code():
    known = catalogue_entry(CATALOGUE, {'code': 'CERT_EXPIRED', 'message': 'm'})
    assert known == {'code': 'CERT_EXPIRED', 'message': 'm', 'known': True, 'level': 'error', 'cause': 'validity window',
                     'fix': 'renew, reload the proxy', 'section': 'Checks'}
    unknown = catalogue_entry(CATALOGUE, {'code': 'NEW_CODE', 'message': 'what happened'})
    assert unknown['known'] is False and unknown['cause'] == 'no catalogue entry' and unknown['message'] == 'what happened'
    assert catalogue_entry(None, 'plain')['code'] == '?' and catalogue_entry({}, {'code': ['x']})['known'] is False


@pytest.mark.parametrize('value,text', [
    (1796368144921, '2026-12-04T07:09:04Z'), (0, '1970-01-01T00:00:00Z'), (1e30, '1e+30'), ('soon', 'soon'),
    (None, None), (True, 'True'),
])
def test_timestamps(value, text):
    assert utc_from_ms(value) == text


def test_outline_of_a_failing_and_a_passing_lab_report():
    batch = samples()
    outlines = outline_reports(batch, CATALOGUE)
    assert [o['anchor'] for o in outlines] == ['server-%d' % i for i in range(1, len(outlines) + 1)]
    bad = outline_report(batch['reports']['certsrv.lab.test'], CATALOGUE)
    assert (bad['ok'], bad['verdict'], bad['error_codes']) == (False, 'FAILS', ['CERT_NAME_MISMATCH'])
    assert bad['resolution']['method'] == 'srv' and bad['resolution']['srv'][0]['records'] == [
        '10 5 8454 target-certsrv.lab.test']
    address = bad['addresses'][0]
    assert address['failing_checks'] == ['ValidCertificates'] and address['verdict'] == 'FAIL'
    assert [c['go_name'] for c in address['checks']] == ['MatchingServerName', 'FutureValidUntilTS', 'HasEd25519Key',
                                                         'AllEd25519ChecksOK', 'ValidCertificates', 'AllChecksOK']
    assert address['certificates'][0]['sans'] == ['target-certsrv.lab.test']
    assert address['keys'][0]['key_id'] == 'ed25519:a_lab' and address['valid_until'].endswith('Z')
    assert bad['errors'][0]['fix'] == 'issue a certificate with the right SAN'
    good = outline_report(batch['reports']['wksrv.lab.test'], CATALOGUE)
    assert good['ok'] and good['resolution']['delegated_hostname'] == 'hs-wksrv.lab.test'
    assert good['resolution']['well_known']['m_server'] == 'hs-wksrv.lab.test'
    assert good['addresses'][0]['media'] == {'errcode': 'M_UNAUTHORIZED', 'status': 401, 'verdict': 'homeserver'}


def test_every_code_of_the_samples_has_a_catalogue_entry():
    from ansible_collections.matrix.federation.plugins.module_utils._federation.catalogue import load_catalogue
    try:
        catalogue = load_catalogue()
    except ValueError as exc:
        pytest.skip('docs/errors.md of this branch cannot be parsed (%s): the report renders without it' % exc)
    missing = set()
    for outline in outline_reports(samples(), catalogue):
        findings = outline['errors'] + outline['warnings']
        findings += [f for address in outline['addresses'] for f in address['errors'] + address['warnings']]
        missing.update(f['code'] for f in findings if not f['known'])
    assert missing == set()
