# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import os

# Tests parse the output of ansible / ansible-playbook subprocesses: no colour
# codes in it, whatever the caller's environment asks for
# (ANSIBLE_FORCE_COLOR wins over ANSIBLE_NOCOLOR).
os.environ.pop('ANSIBLE_FORCE_COLOR', None)
os.environ['ANSIBLE_NOCOLOR'] = '1'

# The loopback federation lab (DNS + HTTPS servers), a session fixture shared
# by the tester, module, lookup and playbook tests; the key-trust lab, shared by
# the key checks, key trust and server_keys tests; a homeserver's client listener
# (Synapse or Dendrite), shared by the homeserver health tests; the notary lab
# (origins and key servers), shared by the notary tests.
pytest_plugins = ['ansible_collections.matrix.federation.tests.unit.servers.federation_lab',
                  'ansible_collections.matrix.federation.tests.unit.servers.keys_lab',
                  'ansible_collections.matrix.federation.tests.unit.servers.homeserver_api',
                  'ansible_collections.matrix.federation.tests.unit.servers.notary_site']
