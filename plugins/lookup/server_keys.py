# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
name: server_keys
short_description: Fetch the verified signing keys of Matrix servers
version_added: 0.1.0
description:
  - Resolves each server name as homeservers do, fetches C(/_matrix/key/v2/server) from every address and returns
    the ed25519 verify keys whose self-signatures verify, for pinning in C(trusted_key_servers).
  - Fails when no address returns keys for the right server name with valid signatures.
  - Several server names are tested concurrently in one call (at most O(concurrency) at a time).
  - Runs on the controller.
author:
  - matrix.federation contributors (@matrix-federation)
options:
  _terms:
    description: Server names.
    type: list
    elements: str
    required: true
  concurrency:
    description: How many servers are tested at the same time.
    type: int
    default: 32
extends_documentation_fragment:
  - matrix.federation.network
'''

EXAMPLES = r'''
- name: Pin matrix.org's keys as a trusted key server
  ansible.builtin.set_fact:
    trusted_key_servers:
      - server_name: matrix.org
        verify_keys: "{{ lookup('matrix.federation.server_keys', 'matrix.org') }}"
'''

RETURN = r'''
_raw:
  description: 'One dict per server name, C({"ed25519:<id>": "<unpadded base64 public key>"}).'
  type: list
  elements: dict
'''

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.runctx import missing_library
from ansible_collections.matrix.federation.plugins.module_utils._federation.tester import run_federation_tests


def verified_keys(report):
    """The verify keys of the first address whose key response is for the right name and verifies."""
    for key in sorted(report['connection_reports']):
        checks = report['connection_reports'][key]['checks']
        if checks['matching_server_name'] and checks['all_ed25519_checks_ok'] and checks['future_valid_until_ts']:
            return dict((k, v) for k, v in report['connection_reports'][key]['verify_keys'].items()
                        if checks['ed25519_checks'].get(k, {}).get('matching_signature'))
    return None


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        missing = missing_library('dnspython', 'cryptography')
        if missing:
            raise AnsibleLookupError('server_keys needs dnspython and cryptography: %s' % missing[1])
        names = [str(term) for term in terms]
        try:
            batch = run_federation_tests(names, nameservers=self.get_option('nameservers'),
                                         ca_path=self.get_option('ca_path'), timeout=self.get_option('timeout'),
                                         concurrency=self.get_option('concurrency'))
        except FederationError as exc:
            raise AnsibleLookupError('%s: %s' % (exc.code, exc.message)) from exc
        results = []
        for name in names:
            report = batch['reports'][name]
            keys = verified_keys(report)
            if not keys:
                problems = '; '.join('%s: %s' % (e['code'], e['message']) for e in report['errors'][:3])
                raise AnsibleLookupError('no verified keys for %s: %s' % (name, problems or 'no address answered'))
            results.append(keys)
        return results
