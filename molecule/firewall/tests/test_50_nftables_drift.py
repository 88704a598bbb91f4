# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""nftables only: a flushed ruleset (nft flush ruleset, a restart of a
nftables.service whose nftables.conf flushes) opens the host; the next run of
the role notices it in the kernel and loads the table again, and the run
after that changes nothing."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

TABLE = "nft list table inet matrix_federation"


@pytest.fixture(scope="module")
def flushed_then_converged(backend, fw, fw_name, converge, delegated_vars):
    if backend != "nftables":
        pytest.skip("the role's own nftables table exists with the nftables backend only")
    assert fw.run(TABLE).rc == 0, "the role's table is not loaded before the test"
    fw.run_expect([0], "nft flush ruleset")
    assert fw.run(TABLE).rc != 0, "nft flush ruleset left the table"
    first = converge(limit=fw_name, extra_vars=delegated_vars)
    second = converge(limit=fw_name, extra_vars=delegated_vars)
    return first, second


def test_flushed_table_is_loaded_again(flushed_then_converged, fw, fw_name):
    first, second = flushed_then_converged
    assert first.rc == 0 and first.recap[fw_name]["changed"] >= 1, "the run after the flush: %r" % first
    assert [task for task in first.changed_tasks() if "Keep the table loaded exactly as the file says" in task], (
        "the table was not reloaded by nftables_table: %s" % first.changed_tasks())
    assert fw.run(TABLE).rc == 0, "the table is still missing after the role ran"
    assert second.rc == 0 and second.recap[fw_name]["changed"] == 0, (
        "the run after the repair changed %s: %r" % (second.changed_tasks(), second))


def test_policy_is_back(flushed_then_converged, assert_open, assert_closed, ssh_port):
    assert_open([ssh_port, 443])
    assert_closed([9999, 8448])
