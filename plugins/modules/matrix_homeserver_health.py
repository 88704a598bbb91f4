#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: matrix_homeserver_health
short_description: Report a homeserver's own outbound federation health, and reset Synapse's federation backoff
version_added: 0.2.0
description:
  - Runs on the homeserver host against the homeserver's own client listener (by default
    C(http://127.0.0.1:8008)) with the access token of a server admin.
  - Returns the room versions the server supports (C(/_matrix/client/v3/capabilities), every implementation).
  - For Synapse, reads every page of the federation destinations admin API
    (C(/_synapse/admin/v1/federation/destinations)) and returns the destinations Synapse backs off from
    (C(retry_interval) above zero), with the first failure and when the next retry is due.
  - With O(reset_backoff=true), resets the backoff of those destinations (all of them, or those of
    O(destinations)) through Synapse's C(reset_connection) admin API, which also wakes their queues up.
    Only destinations that are backing off are reset, so a second run changes nothing.
  - Synapse is recognised by its admin API's C(/_synapse/admin/v1/server_version). Dendrite has no admin API
    for its federation backoff; the module then returns RV(destinations=null) with a
    C(HEALTH_NO_DESTINATIONS_API) warning, and fails with C(HEALTH_RESET_UNSUPPORTED) when O(reset_backoff)
    is asked for. The homeserver role's README ("Outbound federation health") says what Dendrite offers.
  - Errors have a stable C(code) (C(HEALTH_*), see docs/errors.md); the access token never appears in the
    result, in error messages or in logs.
author:
  - matrix.federation contributors (@matrix-federation)
options:
  base_url:
    description:
      - The homeserver's client listener, C(http) or C(https), optionally with a path prefix.
      - Synapse serves its admin API on the C(client) listener unless configured otherwise; a reverse proxy
        in front of it often does not pass C(/_synapse/admin), so the loopback listener is the reliable one.
    type: str
    default: http://127.0.0.1:8008
  access_token:
    description:
      - Access token of a server admin (Synapse C(admin) user). Never logged or returned.
    type: str
    required: true
  implementation:
    description:
      - The homeserver implementation. V(auto) asks Synapse's admin API and, when it is not there, the
        federation version endpoint of the same listener.
      - V(synapse) fails with C(HEALTH_NO_ADMIN_API) when the admin API is not served at O(base_url).
    type: str
    choices: [auto, synapse, dendrite]
    default: auto
  reset_backoff:
    description:
      - Reset the backoff of the destinations Synapse backs off from (Synapse only; fails on other servers).
      - In check mode, RV(reset) lists what would be reset and nothing is sent.
    type: bool
    default: false
  destinations:
    description:
      - With O(reset_backoff), reset only these server names (those not backing off are left alone; names
        Synapse does not know give a C(HEALTH_DESTINATION_UNKNOWN) warning).
      - Default every destination that is backing off.
    type: list
    elements: str
  timeout:
    description:
      - Time limit of the whole run in seconds. One deadline bounds every connect, TLS handshake, send and
        receive of every request (all pages and resets included).
    type: float
    default: 10
  ca_path:
    description:
      - PEM bundle of CA certificates to trust for an C(https) O(base_url), instead of the system store.
    type: path
  validate_certs:
    description:
      - Verify the certificate of an C(https) O(base_url). Only for a self-signed certificate on loopback.
    type: bool
    default: true
  server_name:
    description:
      - The homeserver's server name, used in messages only.
    type: str
extends_documentation_fragment:
  - matrix.federation.attributes
attributes:
  check_mode:
    support: full
    details:
      - The reads run in check mode too; O(reset_backoff) then reports what it would reset and resets nothing.
  diff_mode:
    support: none
notes:
  - Response bodies are capped (1 MiB a destinations page, 64 KiB other answers) and at most 10000
    destinations are read; more are reported with a C(HEALTH_DESTINATIONS_CUT) warning.
  - Synapse lists a failing destination only once a complete retry has failed, which may take up to 20 minutes.
seealso:
  - name: Synapse federation admin API
    description: The destinations list and reset_connection.
    link: https://element-hq.github.io/synapse/latest/usage/administration/admin_api/federation.html
'''

EXAMPLES = r'''
- name: Report room versions and the destinations Synapse backs off from
  matrix.federation.matrix_homeserver_health:
    access_token: "{{ vault_synapse_admin_token }}"
  register: health

- name: Show them
  ansible.builtin.debug:
    msg: "{{ health.destinations.backing_off | map(attribute='destination') | list }}"

- name: Retry two servers now instead of waiting for Synapse's backoff
  matrix.federation.matrix_homeserver_health:
    access_token: "{{ vault_synapse_admin_token }}"
    reset_backoff: true
    destinations: [example.org, matrix.example.net]
'''

RETURN = r'''
implementation:
  description: V(synapse), V(dendrite), or V(unknown) (not Synapse, and the federation version endpoint did not say).
  returned: always
  type: str
  sample: synapse
server_version:
  description: The server's version (Synapse's admin API, or the federation version endpoint), V(null) if unknown.
  returned: always
  type: str
  sample: 1.163.0
room_versions:
  description: The room versions the server supports, from C(m.room_versions) of the capabilities.
  returned: always
  type: dict
  sample: {default: "12", available: {"1": stable, "11": stable, "12": stable, "org.matrix.msc2176": unstable}}
admin_api:
  description: The admin API used, C(name) and C(server_version); V(null) when the server is not Synapse.
  returned: always
  type: dict
  sample: {name: synapse, server_version: 1.163.0}
destinations:
  description:
    - V(null) when the server is not Synapse.
    - C(total) (what Synapse counts), C(read), C(truncated) (more than 10000) and C(backing_off), one entry per
      destination with C(retry_interval) above zero, in name order, with C(destination), C(backing_off),
      C(retry_interval_ms), C(retry_last_ts), C(failure_ts) and C(failure_time) (first failure), C(next_retry_ts)
      and C(next_retry_time) (C(retry_last_ts + retry_interval), ms and ISO 8601 UTC), C(retry_due) (that time has
      passed; Synapse tries again when it next has something to send), C(last_successful_stream_ordering).
    - The entries are read before any reset.
  returned: always
  type: dict
  sample: {total: 2, read: 2, truncated: false, backing_off: [{destination: broken.example, backing_off: true,
           retry_interval_ms: 600000, retry_last_ts: 1764680000000, failure_ts: 1764670000000,
           failure_time: "2025-12-02T10:06:40Z", next_retry_ts: 1764680600000, next_retry_time: "2025-12-02T13:03:20Z",
           retry_due: false, last_successful_stream_ordering: 1234}]}
reset:
  description: The destinations whose backoff was reset (in check mode, would be reset).
  returned: always
  type: list
  elements: str
  sample: [broken.example]
federation_warnings:
  description:
    - "Coded findings C({code, message}): C(HEALTH_BACKING_OFF), C(HEALTH_NO_DESTINATIONS_API),
      C(HEALTH_DESTINATIONS_CUT), C(HEALTH_DESTINATION_UNKNOWN), C(HEALTH_RESET_NOT_NEEDED) (docs/errors.md)."
  returned: always
  type: list
  elements: dict
  sample: [{code: HEALTH_BACKING_OFF, message: "example.org backs off from 1 destination: broken.example. ..."}]
code:
  description: The error code when the module fails (C(HEALTH_TOKEN_REJECTED), C(HEALTH_NOT_ADMIN), ...).
  returned: failure
  type: str
  sample: HEALTH_TOKEN_REJECTED
'''

import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.homeserver_health import AdminClient, homeserver_health


def main():
    module = AnsibleModule(
        argument_spec=dict(
            base_url=dict(type='str', default='http://127.0.0.1:8008'),
            access_token=dict(type='str', required=True, no_log=True),
            implementation=dict(type='str', choices=['auto', 'synapse', 'dendrite'], default='auto'),
            reset_backoff=dict(type='bool', default=False),
            destinations=dict(type='list', elements='str'),
            timeout=dict(type='float', default=10),
            ca_path=dict(type='path'),
            validate_certs=dict(type='bool', default=True),
            server_name=dict(type='str'),
        ),
        supports_check_mode=True,
    )
    params = module.params
    try:
        client = AdminClient(params['base_url'], params['access_token'], params['timeout'], params['ca_path'],
                             params['validate_certs'])
        result = homeserver_health(client, int(time.time() * 1000), params['implementation'], params['reset_backoff'],
                                   params['destinations'], module.check_mode, params['server_name'])
    except FederationError as exc:
        reset = getattr(exc, 'reset', [])
        module.fail_json(msg=exc.message, code=exc.code, changed=bool(reset), reset=reset)
    module.exit_json(changed=bool(result['reset']), **result)


if __name__ == '__main__':
    main()
