# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment:
    """Shared ``attributes`` declarations."""

    DOCUMENTATION = r'''
options: {}
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in diff mode.
'''

    # Read-only modules: never change anything.
    INFO_MODULE = r'''
options: {}
attributes:
  check_mode:
    support: full
    details:
      - This module never changes anything, so it runs the same way in check mode.
  diff_mode:
    support: N/A
    details:
      - This module never changes anything.
'''

    # Modules of the action group that shares the network options (meta/runtime.yml).
    NETWORK_GROUP = r'''
options: {}
attributes:
  action_group:
    description:
      - Use C(group/matrix.federation.network) in C(module_defaults) to set the network options
        (O(nameservers), O(ca_path), O(timeout), O(user_agent)) once for every module of the group.
    support: full
    membership:
      - matrix.federation.network
'''
