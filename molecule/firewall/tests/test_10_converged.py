# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The converged firewall, seen from the host and from the probe.

What an admin would check by hand after the role ran: from another machine
the federation ports and SSH answer, an unlisted port and a port open only to
other sources do not (while something listens on them); the rule they added
by hand survived; the role's record lists what it opened and nothing else.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

# 80: ACME http-01; 443: HTTPS; 8448: federation (firewall_federation_port); and SSH (ssh_port).
WANTED = [80, 443, 8448]
# 9999: nothing asked for it; 9000: open to 192.0.2.0/24 only, the probe is not in it.
CLOSED = [9000, 9999]
HAND_MADE = 9100


def test_every_tested_port_has_a_listener(assert_listeners, ssh_port):
    assert_listeners(WANTED + CLOSED + [HAND_MADE, ssh_port])


def test_wanted_ports_and_ssh_answer_from_the_probe(assert_open, ssh_port):
    assert_open(WANTED + [ssh_port])


def test_unlisted_and_restricted_ports_do_not_answer(assert_listeners, assert_closed):
    assert_listeners(CLOSED)
    assert_closed(CLOSED)


def test_hand_made_rule_and_federation_rule_are_listed(rules, assert_hand_rule):
    listing = rules()
    assert_hand_rule(listing)
    missing = listing.not_naming(8448)
    assert not missing, "no 8448 rule in %s:\n%s" % (missing, listing)


def test_hand_made_allow_rule_works(backend, assert_listeners, assert_open):
    if backend == "nftables":
        pytest.skip("the nftables hand-made rule drops 192.0.2.66 only: nothing to reach from the probe")
    assert_listeners([HAND_MADE])
    assert_open([HAND_MADE])


def test_state_record_lists_what_the_role_opened(state_record, backend, fw_address, ssh_port):
    record = state_record()
    keys = sorted(rule["key"] for rule in record.get("rules", []))
    assert record.get("backend") == backend, "record backend is %r, not %r: %s" % (
        record.get("backend"), backend, record)
    expected = ["8448/tcp/%s" % fw_address.network, "443/tcp/%s" % fw_address.network,
                "80/tcp/%s" % fw_address.network, "9000/tcp/192.0.2.0/24"]
    missing = [key for key in expected if key not in keys]
    assert not missing, "the record lacks %s: %s" % (missing, keys)
    ssh = [rule for rule in record["rules"] if rule.get("port") == ssh_port]
    assert ssh, "the record has no SSH (%s) rule: %s" % (ssh_port, keys)
    hand_made = [key for key in keys if key.startswith("%d/" % HAND_MADE)]
    assert not hand_made, "the record claims the hand-made rule: %s" % keys
