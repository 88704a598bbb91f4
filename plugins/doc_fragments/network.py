# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment:
    """Options of the one network client every module and lookup shares."""

    DOCUMENTATION = r'''
options:
  nameservers:
    description:
      - DNS servers to ask instead of the system resolver, as C(ip) or C(ip:port).
      - Use for split-horizon DNS, private federations and test labs.
    type: list
    elements: str
  ca_path:
    description:
      - PEM bundle of CA certificates to trust instead of the system store.
    type: path
  timeout:
    description:
      - Seconds allowed for each network step. The whole run is bounded by it and never hangs.
    type: float
    default: 10
requirements:
  - dnspython >= 2.0
  - cryptography >= 3.4
'''
