# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""--check --diff of the converge playbook on the converged host predicts no change."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def test_check_diff_reports_no_change(lab):
    run = lab.playbook("../_shared_tls/converge.yml", check=True, diff=True)
    run.assert_no_change(lab.group("proxy")[0])
