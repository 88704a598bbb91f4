# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
name: server_keys
short_description: Fetch the signing keys of Matrix servers over verified TLS
version_added: 0.1.0
description:
  - Resolves each server name as homeservers do, fetches C(/_matrix/key/v2/server) from every address and returns
    the ed25519 verify keys whose self-signatures verify.
  - Keys are returned only when every address that answered did so over TLS whose certificate verifies (against
    the system CAs or O(ca_path)) for the name the spec checks, with a key response that passes every key check,
    and all those addresses serve the same verify keys. Otherwise the lookup fails naming the server, the
    addresses and what differed or which certificate failed and why (codes C(KEYS_TLS_UNVERIFIED),
    C(KEYS_RESPONSE_INVALID), C(KEYS_ADDRESSES_DISAGREE), C(KEYS_UNAVAILABLE) in docs/errors.md).
  - An address that cannot be reached at all (refused, timed out, no TLS, no answer) serves no keys; it is shown
    as a warning and does not block the keys of the addresses that did answer, as homeservers also move on to
    the next address. So are the report's other errors and warnings (version, DNS, well-known).
  - The keys are what this controller sees over verified TLS, not proof of who holds them. Before pinning them
    in C(trusted_key_servers), compare them with what the server's operator publishes or what another vantage
    point sees.
  - Several server names are tested concurrently in one call (at most O(concurrency) at a time).
  - Runs on the controller.
author:
  - matrix.federation contributors (@matrix-federation)
extends_documentation_fragment:
  - matrix.federation.server_names
  - matrix.federation.network
'''

EXAMPLES = r'''
- name: Read the keys matrix.org serves over verified TLS, to compare them with the ones it publishes
  ansible.builtin.debug:
    msg: "{{ lookup('matrix.federation.server_keys', 'matrix.org') }}"

- name: Pin a notary's keys once they are checked (the lookup fails rather than return unverified keys)
  ansible.builtin.set_fact:
    trusted_key_servers:
      - server_name: notary.example.org
        verify_keys: "{{ lookup('matrix.federation.server_keys', 'notary.example.org') }}"
'''

RETURN = r'''
_raw:
  description: 'One dict per server name, C({"ed25519:<id>": "<unpadded base64 public key>"}).'
  type: list
  elements: dict
'''

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.keytrust import report_notes, trusted_server_keys
from ansible_collections.matrix.federation.plugins.module_utils._federation.runctx import missing_library
from ansible_collections.matrix.federation.plugins.module_utils._federation.tester import run_federation_tests

display = Display()


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        missing = missing_library('cryptography')
        if missing:
            raise AnsibleLookupError('server_keys needs cryptography: %s' % missing[1])
        names = [str(term) for term in terms]
        try:
            batch = run_federation_tests(names, nameservers=self.get_option('nameservers'),
                                         ca_path=self.get_option('ca_path'), timeout=self.get_option('timeout'),
                                         user_agent=self.get_option('user_agent'),
                                         concurrency=self.get_option('concurrency'))
        except FederationError as exc:
            raise AnsibleLookupError('%s: %s' % (exc.code, exc.message)) from exc
        results = []
        for name in names:
            report = batch['reports'][name]
            try:
                results.append(trusted_server_keys(report))
            except FederationError as exc:
                raise AnsibleLookupError('server_keys: %s: %s' % (exc.code, exc.message)) from exc
            for note in report_notes(report):
                display.warning('server_keys: %s: %s' % (name, note))
        return results
