# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
name: server_discovery
short_description: Resolve Matrix server names as homeservers do
version_added: 0.1.0
description:
  - Returns, for each server name, where a homeserver connects and with which C(Host) header and TLS name,
    following the Server-Server API's resolution steps (well-known, SRV, port 8448).
  - Several server names are resolved concurrently in one call (at most O(concurrency) at a time), sharing DNS
    answers; each has its own time limit.
  - Runs on the controller.
author:
  - matrix.federation contributors (@matrix-federation)
extends_documentation_fragment:
  - matrix.federation.server_names
  - matrix.federation.network
'''

EXAMPLES = r'''
- name: Show how example.org is reached
  ansible.builtin.debug:
    msg: "{{ lookup('matrix.federation.server_discovery', 'example.org') }}"

- name: Where do our peers federate?
  ansible.builtin.debug:
    msg: "{{ query('matrix.federation.server_discovery', 'a.example', 'b.example', nameservers=['10.89.0.2']) }}"
'''

RETURN = r'''
_raw:
  description:
    - One resolution per server name C({server_name, method, delegated_hostname, host_header, sni,
      targets}) as in the C(resolution) result of M(matrix.federation.matrix_federation_test).
    - Resolution problems fail the lookup with their code.
  type: list
  elements: dict
'''

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.matrix.federation.plugins.module_utils._federation.discovery import resolve_server_name
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.runctx import (
    clients_for_run,
    make_clients,
    missing_library,
)
from ansible_collections.matrix.federation.plugins.module_utils._federation.tester import run_batch


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        missing = missing_library('cryptography')
        if missing:
            raise AnsibleLookupError('server_discovery needs cryptography: %s' % missing[1])
        timeout = self.get_option('timeout')
        try:
            base_dns, base_https = make_clients(self.get_option('nameservers'), self.get_option('ca_path'), timeout,
                                                self.get_option('user_agent'))
        except FederationError as exc:
            raise AnsibleLookupError('%s: %s' % (exc.code, exc.message)) from exc

        def resolve(name):
            dns, https = clients_for_run(base_dns, base_https, timeout)
            return resolve_server_name(name, dns, https)

        names = [str(term) for term in terms]
        discoveries = run_batch(names, resolve, self.get_option('concurrency'))
        results = []
        for name in names:
            discovery = discoveries[name]
            if discovery['errors']:
                first = discovery['errors'][0]
                raise AnsibleLookupError('cannot resolve %s: %s: %s' % (name, first['code'], first['message']))
            results.append(discovery['resolution'])
        return results
