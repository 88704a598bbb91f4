# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""converge.yml in --check --diff mode on the converged host: nothing to change."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def test_check_diff_run_reports_no_change(converge, fw_name):
    run = converge(check=True, diff=True, limit=fw_name)
    recap = run.recap.get(fw_name)
    assert run.rc == 0 and recap is not None, "the --check --diff run failed: %r" % run
    assert recap["failed"] == 0 and recap["unreachable"] == 0 and recap["ok"] >= 1, (
        "the --check --diff run did not run cleanly: %s\n%r" % (recap, run))
    assert recap["changed"] == 0, "--check --diff would change %s:\n%r" % (run.changed_tasks(), run)
