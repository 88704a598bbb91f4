# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment:
    """The lookups' terms (server names) and how many are looked at at once."""

    DOCUMENTATION = r'''
options:
  _terms:
    description: Server names.
    type: list
    elements: str
    required: true
  concurrency:
    description: How many server names are looked at (resolved, or tested) at the same time.
    type: int
    default: 32
'''
