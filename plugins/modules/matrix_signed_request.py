#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: matrix_signed_request
short_description: Send federation requests signed with the homeserver's key, to see it from the peers' side
version_added: 0.1.0
description:
  - Runs on the homeserver host. Reads the server's signing key there and sends each peer in O(peers) federation
    requests signed with it (an C(Authorization) header of scheme C(X-Matrix), Server-Server API "Request
    Authentication").
  - A peer answers such a request only after it resolved our server name, fetched our keys from
    C(/_matrix/key/v2/server) and verified the signature. So an accepted answer proves the peer can
    authenticate us, which a test from our own side cannot show; a refusal is returned with the peer's reason
    and a code saying what it means (our key could not be fetched, the signature does not verify, the peer
    forbids us).
  - Each peer is resolved as the spec orders it (well-known, SRV, port 8448), the same way
    M(matrix.federation.matrix_federation_test) does, and the requests go to the first address that accepts a
    connection with a verified certificate. A signed request is never sent to a server whose certificate does
    not verify; that peer fails with C(SIGNED_PEER_UNREACHABLE) naming the TLS problem.
  - Peers are handled concurrently, each with its own O(timeout).
  - The private key never leaves the host and never appears in a result, message or diff; only the public key id
    is returned.
  - Codes are listed in the collection's C(docs/errors.md), section "Signed requests".
author:
  - matrix.federation contributors (@matrix-federation)
options:
  server_name:
    description:
      - Our server name, as in user IDs (the C(origin) of the signed requests).
    type: str
    required: true
  signing_key_path:
    description:
      - The signing key file on the host (Synapse C(signing_key_path), Dendrite C(global.private_key)).
      - Read only; a symbolic link is followed.
    type: path
    required: true
  key_format:
    description:
      - Format of O(signing_key_path), as in M(matrix.federation.matrix_signing_keys).
    type: str
    choices: [synapse, dendrite]
    default: synapse
  key_id:
    description:
      - The key of the file that signs, as C(ed25519:<version>) or C(<version>). Defaults to the file's first key
        (the one Synapse signs with).
    type: str
  peers:
    description:
      - Server names of the peers to send the requests to (at least one).
    type: list
    elements: str
    required: true
  requests:
    description:
      - V(directory) is C(GET /_matrix/federation/v1/query/directory) for a random alias on the peer; the peer
        answers 404 C(M_NOT_FOUND) after checking our signature, which counts as accepted (so does 200).
      - V(media) is C(GET /_matrix/federation/v1/media/download/<random id>) (authenticated media, spec v1.11).
        404 C(M_NOT_FOUND) is accepted; C(M_UNRECOGNIZED) or a non-JSON 404 means the peer does not serve
        authenticated media over federation, a C(MEDIA_FEDERATION_UNSUPPORTED) warning.
    type: list
    elements: str
    choices: [directory, media]
    default: [directory, media]
  concurrency:
    description:
      - How many peers are handled at the same time.
    type: int
    default: 32
  fail_on_error:
    description:
      - Fail the task when a peer did not accept the requests. The full result is returned either way.
    type: bool
    default: true
notes:
  - A peer is accepted when the directory request was accepted (without V(directory) in O(requests), the media
    request) and nothing failed. RV(federation_ok) is true when every peer is accepted.
  - The requests are read-only GETs, sent in check mode too.
  - Coded warnings are returned in RV(federation_warnings); their messages are also shown as Ansible warnings.
extends_documentation_fragment:
  - matrix.federation.attributes
  - matrix.federation.attributes.INFO_MODULE
  - matrix.federation.network
  - matrix.federation.attributes.NETWORK_GROUP
seealso:
  - module: matrix.federation.matrix_federation_test
  - module: matrix.federation.matrix_signing_keys
  - name: Matrix Server-Server API, request authentication
    description: How the requests are signed.
    link: https://spec.matrix.org/latest/server-server-api/#request-authentication
'''

EXAMPLES = r'''
- name: Prove that our peers accept our signed requests
  matrix.federation.matrix_signed_request:
    server_name: example.org
    signing_key_path: /etc/matrix-synapse/homeserver.signing.key
    peers:
      - matrix.org
      - example.net
  register: signed

- name: From a Dendrite host, the directory request only, to every other homeserver of the inventory, without failing
  matrix.federation.matrix_signed_request:
    server_name: example.org
    signing_key_path: /etc/dendrite/matrix_key.pem
    key_format: dendrite
    key_id: ed25519:auto
    peers: "{{ groups['homeservers'] | map('extract', hostvars, 'matrix_server_name') | reject('eq', 'example.org') | list }}"
    requests: [directory]
    fail_on_error: false
  register: signed

- name: Show who refuses us and why
  ansible.builtin.debug:
    msg: "{{ signed.errors | map(attribute='message') | list }}"
  when: not signed.federation_ok
'''

RETURN = r'''
federation_ok:
  description: True when every peer accepted the requests (see the notes).
  returned: always
  type: bool
  sample: true
origin:
  description: Our server name, the C(origin) of the requests.
  returned: always
  type: str
  sample: example.org
key_id:
  description: The id of the key that signed (public).
  returned: always
  type: str
  sample: ed25519:a_AbCd
peers:
  description: One entry per peer.
  returned: always
  type: dict
  contains:
    accepted:
      description: The peer authenticated us (see the notes).
      type: bool
    address:
      description: The C(ip:port) the requests went to; null when no address could be reached with verified TLS.
      type: str
    resolution:
      description: C(method), C(host_header) and C(sni) of the peer's resolution, as in M(matrix.federation.matrix_federation_test).
      type: dict
    requests:
      description:
        - Per request (C(directory), C(media)) C(status), C(errcode), C(error) (the peer's reason, at most 300
          characters), C(accepted) and C(duration_ms); C(media) also has C(supported) (null when unknown).
      type: dict
    errors:
      description: What failed with this peer, as C({code, message}).
      type: list
      elements: dict
    federation_warnings:
      description: Coded warnings about this peer (C(MEDIA_FEDERATION_UNSUPPORTED), resolution warnings).
      type: list
      elements: dict
    duration_ms:
      description: Time spent on this peer.
      type: int
  sample:
    matrix.org:
      accepted: false
      address: "203.0.113.7:8448"
      resolution: {method: well_known_srv, host_header: matrix-federation.matrix.org, sni: matrix-federation.matrix.org}
      requests:
        directory: {status: 401, errcode: M_UNAUTHORIZED, accepted: false, duration_ms: 120,
                    error: "Failed to find any key to satisfy: _FetchKeyRequest(server_name='example.org', ...)"}
      errors: [{code: SIGNED_KEY_NOT_FETCHED, message: "directory request: the peer could not get our signing key ..."}]
      federation_warnings: []
      duration_ms: 180
errors:
  description: The errors of every peer, as C({code, message}), each message starting with the peer's name.
  returned: always
  type: list
  elements: dict
federation_warnings:
  description: The coded warnings of every peer, each message starting with the peer's name.
  returned: always
  type: list
  elements: dict
  sample: [{code: MEDIA_FEDERATION_UNSUPPORTED, message: "example.net: media request: the peer answered 404 M_UNRECOGNIZED ..."}]
duration_ms:
  description: Duration of the whole run in milliseconds.
  returned: always
  type: int
'''

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.matrix.federation.plugins.module_utils._federation.argspec import network_argument_spec
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.runctx import missing_library
from ansible_collections.matrix.federation.plugins.module_utils._federation.signed_request import (
    REQUEST_KINDS, failure_message, load_signing_key, send_signed_requests,
)


def main():
    module = AnsibleModule(
        argument_spec=network_argument_spec(
            server_name=dict(type='str', required=True),
            signing_key_path=dict(type='path', required=True, no_log=False),
            key_format=dict(type='str', choices=['synapse', 'dendrite'], default='synapse', no_log=False),
            key_id=dict(type='str', no_log=False),
            peers=dict(type='list', elements='str', required=True),
            requests=dict(type='list', elements='str', choices=list(REQUEST_KINDS), default=list(REQUEST_KINDS)),
            concurrency=dict(type='int', default=32),
            fail_on_error=dict(type='bool', default=True),
        ),
        supports_check_mode=True,
    )
    missing = missing_library('cryptography')
    if missing:
        module.fail_json(msg=missing_required_lib(missing[0]))
    params = module.params
    if not params['peers']:
        module.fail_json(msg='peers must list at least one server name', code='BAD_OPTIONS')
    if not params['requests']:
        module.fail_json(msg='requests must name at least one of %s' % ', '.join(REQUEST_KINDS), code='BAD_OPTIONS')
    if params['timeout'] <= 0 or params['concurrency'] < 1:
        module.fail_json(msg='timeout must be positive and concurrency at least 1, got %s and %s'
                         % (params['timeout'], params['concurrency']), code='BAD_OPTIONS')
    failure = None
    try:
        key = load_signing_key(params['signing_key_path'], params['key_format'], params['key_id'])
        result = send_signed_requests(
            params['server_name'], key, params['peers'], params['requests'], nameservers=params['nameservers'],
            ca_path=params['ca_path'], timeout=params['timeout'], user_agent=params['user_agent'],
            concurrency=params['concurrency'])
    except FederationError as exc:
        failure = {'msg': exc.message, 'code': exc.code}
    except Exception as exc:  # pylint: disable=broad-except
        # The type only: an unexpected exception's text is not known to be free of key material.
        failure = {'msg': 'signed requests failed unexpectedly: %s' % type(exc).__name__, 'code': 'INTERNAL_ERROR'}
    if failure:
        module.fail_json(changed=False, **failure)
    for warning in result['federation_warnings']:
        module.warn('%s: %s' % (warning['code'], warning['message']))
    if params['fail_on_error'] and not result['federation_ok']:
        module.fail_json(msg=failure_message(result), changed=False, **result)
    module.exit_json(changed=False, **result)


if __name__ == '__main__':
    main()
