# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""SSH moved the socket-activated way (the ufw run: ssh.socket on 2222, ssh.service disabled).

The role finds 2222 and never assumes 22: the probe saw the SSH banner every
second through converge and idempotence, no rule or record names 22, and a
run in the state before any connection (only systemd holds the socket,
`sshd -T` fails for want of /run/sshd) changes nothing and keeps 2222 open.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

import pytest


@pytest.fixture(scope="module")
def socket_port(lab, fw_name):
    port = lab.vars(fw_name).get("lab_ssh_socket_port")
    if port is None:
        pytest.skip("sshd runs as ssh.service in this scenario")
    return int(port)


def banner(probe, fw_name, port):
    """The SSH banner the probe reads from the firewall host (or the error)."""
    script = ("import socket, sys\n"
              "with socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10) as sock:\n"
              "    print(sock.recv(64).decode(errors='replace').strip())\n")
    cmd = probe.run("python3 -c %s %s %s", script, fw_name, str(port))
    return (cmd.stdout + cmd.stderr).strip()


def test_banner_answered_every_second_through_converge(socket_port, probe):
    log = probe.check_output("journalctl -q -o cat -u lab-ssh-watch")
    lines = [line for line in log.splitlines() if line.startswith(("ok ", "fail"))]
    failed = [line for line in lines if not line.startswith("ok SSH-2.0-")]
    assert len(lines) >= 20 and not failed, "the probe's SSH watcher (%d checks) saw %s" % (len(lines), failed[:5])


def test_no_rule_and_no_record_for_22(socket_port, rules, state_record):
    listing = str(rules())
    assert not re.search(r"(?m)^22(/tcp)?\s", listing), "a rule for 22 (nothing listens there):\n%s" % listing
    assert re.search(r"(?m)^%d/tcp\s+ALLOW IN\s+Anywhere" % socket_port, listing), listing
    ports = sorted(rule["port"] for rule in state_record()["rules"] if rule["purpose"] == "ssh")
    assert ports == [socket_port], "the record's SSH rules are for %s, not [%d]" % (ports, socket_port)


@pytest.fixture(scope="module")
def before_first_connection(socket_port, fw, probe):
    """ssh.service stopped (and the watcher, whose next connection would start it again): only the socket."""
    probe.run_expect([0], "systemctl stop lab-ssh-watch")
    fw.run_expect([0], "systemctl stop ssh.service")
    ss = fw.check_output("ss -Htlnp 'sport = :%d'" % socket_port)
    assert 'users:(("systemd",pid=1,' in ss and "sshd" not in ss, "not the state before a connection:\n%s" % ss
    sshd_t = fw.run("sshd -T")
    assert sshd_t.rc != 0 and "privilege separation directory" in sshd_t.stderr, (
        "sshd -T did not fail as it does before ssh.service ran: rc %s %s" % (sshd_t.rc, sshd_t.stderr))


def test_run_before_first_connection_keeps_the_socket_port(before_first_connection, converge, fw_name, fw, probe,
                                                           socket_port):
    converge(limit=fw_name).assert_no_change(fw_name)
    ss = fw.check_output("ss -Htlnp 'sport = :%d'" % socket_port)
    assert "sshd" not in ss, "something connected during the run; the state tested is gone:\n%s" % ss
    said = banner(probe, fw_name, socket_port)
    assert said.startswith("SSH-2.0-"), "from the probe, %s:%d says %r" % (fw_name, socket_port, said)
