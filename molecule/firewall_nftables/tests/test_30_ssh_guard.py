# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A firewall_ssh_port sshd does not listen on is refused, and nothing changes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def test_wrong_ssh_port_is_refused(converge, fw_name, rules, state_record, assert_open):
    rules_before, record_before = str(rules()), state_record()
    # sshd listens on 22 (prepare.yml).
    run = converge(limit=fw_name, extra_vars={"firewall_ssh_port": 2222})
    recap = run.recap.get(fw_name) or {}
    assert run.rc != 0 and recap.get("failed") == 1, "the role accepted firewall_ssh_port 2222: %r" % run
    # ansible-core prints the error on stderr and the result on stdout, both
    # wrapped: compare word by word.
    words = " ".join((run.stdout + "\n" + run.stderr).split())
    for wanted in ("Refusing to apply the firewall",
                   "sshd listens on port(s) 22 but firewall_ssh_port is 2222"):
        said = wanted in words
        assert said, "the refusal does not say %r: %r" % (wanted, run)
    assert str(rules()) == rules_before, "the refused run changed the rules:\nbefore:\n%s\nafter:\n%s" % (
        rules_before, rules())
    assert state_record() == record_before, "the refused run changed the state record"
    assert_open([22])
