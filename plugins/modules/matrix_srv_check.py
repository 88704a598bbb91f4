#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: matrix_srv_check
short_description: Check the Matrix federation SRV records of a domain
version_added: 0.1.0
description:
  - Looks up C(_matrix-fed._tcp.<domain>) and the deprecated C(_matrix._tcp.<domain>) and returns the records
    in RFC 2782 order with the addresses of each target.
  - Fails on a CNAME target, a single C(.) target (service unavailable), a target without addresses,
    SERVFAIL or timeouts (which are errors, not "no records") and a mismatch with O(expected).
  - Warns when only the legacy C(_matrix._tcp) record exists.
  - No SRV record at all is not an error (federation then uses the well-known or port 8448) unless O(expected) is set.
author:
  - matrix.federation contributors (@matrix-federation)
options:
  domain:
    description:
      - The domain (server name without port) whose SRV records to check.
    type: str
    required: true
  nameservers:
    description:
      - DNS servers to ask instead of the system resolver, as C(ip) or C(ip:port).
    type: list
    elements: str
  timeout:
    description:
      - The time limit, in seconds, of the whole check; one DNS exchange (UDP, then TCP after a truncated
        answer) with one nameserver may take a third of it, every C(send) and C(recv) obeys the limit.
    type: float
    default: 10
  expected:
    description:
      - What the records homeservers use must point to. At least one record must match.
    type: dict
    suboptions:
      target:
        description: Expected target host.
        type: str
        required: true
      port:
        description: Expected port.
        type: int
extends_documentation_fragment:
  - matrix.federation.attributes
  - matrix.federation.attributes.INFO_MODULE
seealso:
  - module: matrix.federation.matrix_federation_test
'''

EXAMPLES = r'''
- name: Check that SRV delegation points to our homeserver
  matrix.federation.matrix_srv_check:
    domain: example.org
    expected:
      target: matrix.example.org
      port: 8448

- name: Inspect the SRV records through a given resolver
  matrix.federation.matrix_srv_check:
    domain: example.org
    nameservers:
      - 10.89.0.2:53
  register: srv
'''

RETURN = r'''
records:
  description:
    - Records of each SRV name in RFC 2782 order, each with C(priority), C(weight), C(port), C(target),
      C(addresses) and C(cname) (the CNAME chain, empty when none).
  returned: always
  type: dict
  sample:
    _matrix-fed._tcp.example.org:
      - {priority: 10, weight: 5, port: 8448, target: matrix.example.org, addresses: [192.0.2.10], cname: []}
    _matrix._tcp.example.org: []
service:
  description: The SRV name homeservers use (C(_matrix-fed) first), or null when neither has records.
  returned: always
  type: str
  sample: _matrix-fed._tcp.example.org
effective:
  description: The records of RV(service).
  returned: always
  type: list
  elements: dict
errors:
  description: Problems as C({code, message}).
  returned: always
  type: list
  elements: dict
federation_warnings:
  description: Degradations as C({code, message}).
  returned: always
  type: list
  elements: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.matrix.federation.plugins.module_utils._federation.argspec import network_argument_spec
from ansible_collections.matrix.federation.plugins.module_utils._federation.discovery import check_srv_records
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.runctx import make_dns_client


def main():
    module = AnsibleModule(
        argument_spec=network_argument_spec(
            ca_path=False,
            domain=dict(type='str', required=True),
            expected=dict(type='dict', options=dict(target=dict(type='str', required=True), port=dict(type='int'))),
        ),
        supports_check_mode=True,
    )
    domain = module.params['domain'].strip().rstrip('.')
    if not domain or ':' in domain or any(c.isspace() for c in domain):
        module.fail_json(msg='domain %r must be a host name without port' % module.params['domain'])
    if module.params['timeout'] <= 0:
        module.fail_json(msg='timeout must be a positive number of seconds, got %s' % module.params['timeout'])
    try:
        dns = make_dns_client(module.params['nameservers'], module.params['timeout'])
        result = check_srv_records(domain, dns, module.params['expected'])
    except FederationError as exc:
        module.fail_json(msg=exc.message, code=exc.code)
    for warning in result['federation_warnings']:
        module.warn('%s: %s' % (warning['code'], warning['message']))
    if result['errors']:
        problems = '; '.join('%s: %s' % (e['code'], e['message']) for e in result['errors'])
        module.fail_json(msg='SRV records of %s: %s' % (domain, problems), changed=False, **result)
    module.exit_json(changed=False, **result)


if __name__ == '__main__':
    main()
