# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""converge.yml in --check --diff mode on the converged host: nothing to change."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def test_check_diff_run_reports_no_change(converge, fw_name):
    converge(check=True, diff=True, limit=fw_name).assert_no_change(fw_name)
