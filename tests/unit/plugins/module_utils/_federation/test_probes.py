# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Probes of one resolution's addresses, with a recording stand-in for the HTTPS client."""

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.probes import probe_address, probe_targets
from ansible_collections.matrix.federation.plugins.module_utils._federation.spec import KEYS_MAX_BYTES, VERSION_MAX_BYTES


class RecordingHttps:
    def __init__(self, answers):
        self.answers = answers
        self.calls = []

    def request_many(self, ip, port, requests, host_header, tls_name=None, insecure_fallback=False):
        self.calls.append((ip, port, requests, host_header, tls_name, insecure_fallback))
        answer = self.answers[ip]
        if isinstance(answer, FederationError):
            raise answer
        return answer


RESOLUTION = {'sni': 'example.org', 'host_header': 'example.org',
              'targets': [{'host': 'a.example.org', 'port': 8448, 'addresses': ['192.0.2.1', '2001:db8::1']},
                          {'host': 'b.example.org', 'port': 8448, 'addresses': ['192.0.2.1']}]}


def test_probe_address_asks_keys_and_version_on_one_connection():
    timeout = FederationError('HTTP_TIMEOUT', 'slow')
    https = RecordingHttps({'192.0.2.1': ['keys', timeout]})
    probe = probe_address(https, RESOLUTION, RESOLUTION['targets'][0], '192.0.2.1')
    assert probe == {'key_response': 'keys', 'key_error': None, 'version_response': None, 'version_error': timeout}
    requests = [('/_matrix/key/v2/server', KEYS_MAX_BYTES), ('/_matrix/federation/v1/version', VERSION_MAX_BYTES)]
    assert https.calls == [('192.0.2.1', 8448, requests, 'example.org', 'example.org', True)]


def test_probe_targets_probes_each_address_once_and_keeps_connection_errors():
    refused = FederationError('CONNECTION_REFUSED', 'refused')
    https = RecordingHttps({'192.0.2.1': ['keys', 'version'], '2001:db8::1': refused})
    probes = probe_targets(https, RESOLUTION)
    assert [(key, address) for key, dummy, address, dummy2, dummy3 in probes] == [
        ('192.0.2.1:8448', '192.0.2.1'), ('[2001:db8::1]:8448', '2001:db8::1')]
    assert probes[1][3] == {'key_response': None, 'key_error': refused, 'version_response': None,
                            'version_error': refused}
    assert len(https.calls) == 2
