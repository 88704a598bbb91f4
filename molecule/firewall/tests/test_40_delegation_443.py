# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Federation moves from 8448 to 443 (delegation): firewall_federation_port null.

The role removes the 8448 rule it opened and keeps everything else, the rule
added by hand included.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest


@pytest.fixture(scope="module")
def switched(converge, fw_name, delegated_vars):
    """converge.yml with firewall_federation_port null, 8448's listener accepted as closed."""
    return converge(limit=fw_name, extra_vars=delegated_vars)


def test_switch_run_succeeds_and_changes_the_rules(switched, fw_name):
    recap = switched.recap.get(fw_name)
    assert switched.rc == 0 and recap is not None and recap["failed"] == 0, "the switch to 443 failed: %r" % switched
    assert recap["changed"] >= 1, "the switch to 443 changed nothing: %r" % switched


def test_8448_unreachable_while_its_listener_runs(switched, assert_listeners, assert_closed):
    assert_listeners([8448])
    assert_closed([8448])


def test_443_80_and_ssh_still_answer(switched, assert_open, ssh_port):
    assert_open([ssh_port, 80, 443])


def test_8448_rule_gone_hand_made_rule_kept(switched, rules, assert_hand_rule):
    listing = rules()
    still = listing.naming(8448)
    assert not still, "8448 is still in %s:\n%s" % (still, listing)
    assert_hand_rule(listing)


def test_state_record_drops_8448(switched, state_record, fw_address):
    keys = sorted(rule["key"] for rule in state_record().get("rules", []))
    assert not [key for key in keys if key.startswith("8448/")], "the record still lists 8448: %s" % keys
    assert "443/tcp/%s" % fw_address.network in keys, "the record lost 443: %s" % keys
    assert not [key for key in keys if key.startswith("9100/")], "the record claims the hand-made rule: %s" % keys
