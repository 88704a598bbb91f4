# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Probes: what one ``ip:port`` answers to the key and version requests (transport results, no judgement).

``probe_address`` sends both requests over one connection; ``probe_targets``
probes every distinct address of a resolution at once.
"""

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.runctx import run_parallel
from ansible_collections.matrix.federation.plugins.module_utils._federation.spec import (
    KEY_PATH, KEYS_MAX_BYTES, VERSION_MAX_BYTES, VERSION_PATH, format_host_port,
)


def probe_address(https, resolution, target, address):
    """GET the keys (verified TLS, with a fallback to read them anyway) and the version at once.

    Returns ``{key_response, key_error, version_response, version_error}``
    (responses are :class:`HttpsResponse`, errors ``FederationError``).
    """
    tls_name = resolution['sni'] or address
    host_header = resolution['host_header']
    port = target['port']
    # One connection, both requests pipelined: one TCP and one TLS handshake,
    # the time of one round trip for both answers (a new connection only when
    # the server closes after the first answer).
    try:
        keys, version = https.request_many(address, port, [(KEY_PATH, KEYS_MAX_BYTES), (VERSION_PATH, VERSION_MAX_BYTES)],
                                           host_header, tls_name=tls_name, insecure_fallback=True)
    except FederationError as exc:
        return {'key_response': None, 'key_error': exc, 'version_response': None, 'version_error': exc}
    keys_exc = keys if isinstance(keys, FederationError) else None
    version_exc = version if isinstance(version, FederationError) else None
    return {'key_response': None if keys_exc else keys, 'key_error': keys_exc,
            'version_response': None if version_exc else version, 'version_error': version_exc}


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
