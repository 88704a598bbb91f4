# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Probes: what one ``ip:port`` answers to the key, version and media requests (transport results, no judgement).

``probe_address`` sends the three requests over one connection; ``probe_targets``
probes every distinct address of a resolution at once.
"""

import secrets

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.runctx import run_parallel
from ansible_collections.matrix.federation.plugins.module_utils._federation.spec import (
    KEY_PATH, KEYS_MAX_BYTES, MEDIA_DOWNLOAD_PATH_PREFIX, MEDIA_MAX_BYTES, VERSION_MAX_BYTES, VERSION_PATH,
    format_host_port,
)


def media_probe_path():
    """``/_matrix/federation/v1/media/download/<random id>``: an ID no server has, asked without authorization."""
    return MEDIA_DOWNLOAD_PATH_PREFIX + 'matrix-federation-test-' + secrets.token_hex(8)


def probe_address(https, resolution, target, address):
    """GET the keys (verified TLS, with a fallback to read them anyway), the version and a media download at once.

    The media download (authenticated media, without authorization) comes
    last, so a server that stalls on it has answered the others already.
    Returns ``{key_response, key_error, version_response, version_error,
    media_response, media_error}`` (responses are :class:`HttpsResponse`,
    errors ``FederationError``).
    """
    tls_name = resolution['sni'] or address
    host_header = resolution['host_header']
    port = target['port']
    # One connection, the requests pipelined: one TCP and one TLS handshake,
    # the time of one round trip for all answers (a new connection only when
    # the server closes after an answer).
    requests = [(KEY_PATH, KEYS_MAX_BYTES), (VERSION_PATH, VERSION_MAX_BYTES), (media_probe_path(), MEDIA_MAX_BYTES)]
    try:
        answers = https.request_many(address, port, requests, host_header, tls_name=tls_name, insecure_fallback=True)
    except FederationError as exc:
        return {'key_response': None, 'key_error': exc, 'version_response': None, 'version_error': exc,
                'media_response': None, 'media_error': exc}
    probe = {}
    for name, answer in zip(('key', 'version', 'media'), answers):
        failed = isinstance(answer, FederationError)
        probe[name + '_response'] = None if failed else answer
        probe[name + '_error'] = answer if failed else None
    return probe


def probe_targets(https, resolution):
    """Probe every distinct ``ip:port`` of ``resolution`` at once.

    Returns ``[(key, target, address, probe, exception)]`` in resolution
    order, ``key`` being ``ip:port``; ``exception`` is what a probe raised
    unexpectedly (``probe`` is then ``None``).
    """
    jobs, seen = [], set()
    for target in resolution['targets']:
        for address in target['addresses']:
            if format_host_port(address, target['port']) not in seen:
                seen.add(format_host_port(address, target['port']))
                jobs.append((target, address))
    probes = run_parallel([lambda t=t, a=a: probe_address(https, resolution, t, a) for t, a in jobs])
    return [(format_host_port(address, target['port']), target, address, probe, exc)
            for (target, address), (probe, exc) in zip(jobs, probes)]
