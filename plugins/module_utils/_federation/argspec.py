# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The argument spec of the network options (``nameservers``, ``ca_path``, ``timeout``, ``user_agent``), built once.

It is the validation half of the ``matrix.federation.network`` doc fragment
(``plugins/doc_fragments/network.py``); a unit test keeps the two equal.
"""


def network_argument_spec(ca_path=True, **options):
    """The ``argument_spec`` entries of the network options, merged with a module's own ``options``.

    ``ca_path=False`` leaves out the HTTPS options (the CA bundle, the user agent), for modules that only use DNS.
    """
    spec = {
        'nameservers': {'type': 'list', 'elements': 'str'},
        'timeout': {'type': 'float', 'default': 10},
    }
    if ca_path:
        spec['ca_path'] = {'type': 'path'}
        spec['user_agent'] = {'type': 'str'}
    spec.update(options)
    return spec
