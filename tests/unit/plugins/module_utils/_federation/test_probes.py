# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Probes of one resolution's addresses, with a recording stand-in for the HTTPS client."""

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.probes import media_probe_path, probe_address, probe_targets
from ansible_collections.matrix.federation.plugins.module_utils._federation.spec import (
    KEYS_MAX_BYTES, MEDIA_DOWNLOAD_PATH_PREFIX, MEDIA_MAX_BYTES, VERSION_MAX_BYTES,
)


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


def test_probe_address_asks_keys_version_and_media_on_one_connection():
    timeout = FederationError('HTTP_TIMEOUT', 'slow')
    https = RecordingHttps({'192.0.2.1': ['keys', timeout, 'media']})
    probe = probe_address(https, RESOLUTION, RESOLUTION['targets'][0], '192.0.2.1')
    assert probe == {'key_response': 'keys', 'key_error': None, 'version_response': None, 'version_error': timeout,
                     'media_response': 'media', 'media_error': None}
    ((ip, port, requests, host, tls_name, fallback),) = https.calls
    assert (ip, port, host, tls_name, fallback) == ('192.0.2.1', 8448, 'example.org', 'example.org', True)
    assert requests[:2] == [('/_matrix/key/v2/server', KEYS_MAX_BYTES), ('/_matrix/federation/v1/version', VERSION_MAX_BYTES)]
    media_path, media_cap = requests[2]
    assert media_path.startswith(MEDIA_DOWNLOAD_PATH_PREFIX) and media_cap == MEDIA_MAX_BYTES
    # A fresh media ID each time: no server has it.
    assert media_probe_path() != media_probe_path()


def test_probe_targets_probes_each_address_once_and_keeps_connection_errors():
    refused = FederationError('CONNECTION_REFUSED', 'refused')
    https = RecordingHttps({'192.0.2.1': ['keys', 'version', 'media'], '2001:db8::1': refused})
    probes = probe_targets(https, RESOLUTION)
    assert [(key, address) for key, dummy, address, dummy2, dummy3 in probes] == [
        ('192.0.2.1:8448', '192.0.2.1'), ('[2001:db8::1]:8448', '2001:db8::1')]
    assert probes[1][3] == {'key_response': None, 'key_error': refused, 'version_response': None,
                            'version_error': refused, 'media_response': None, 'media_error': refused}
    assert len(https.calls) == 2
