# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the firewall scenario's tests (one run per backend: LAB_BACKEND=nftables|ufw|firewalld).

The scenario's inventory has one host in the group `firewall` (the role's
target, with sshd, a listener on every port the tests look at and a rule added
by hand: prepare.yml) and one in `probe`, on the same podman network, from
which the tests check what the firewall lets through. `lab_backend` (group
var) names the backend; `lab_ssh_port` (default 22) the port SSH answers on
(the ufw run moves SSH to 2222 the socket-activated way: prepare.yml).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import json
import re

import pytest

# Relative to the scenario directory.
CONVERGE = "converge.yml"

STATE_FILE = "/etc/ansible/facts.d/matrix_federation_firewall.fact"

# What the backend's own tool prints for its rules (firewalld: runtime and permanent).
LIST_COMMANDS = {
    "nftables": ["nft list ruleset"],
    "ufw": ["ufw status verbose"],
    "firewalld": ["firewall-cmd --list-all", "firewall-cmd --permanent --list-all"],
}

# The rule prepare.yml added by hand, as the backend's tool lists it.
HAND_RULE = {
    "nftables": r'tcp dport 9100 drop comment "hand-added"',
    "ufw": r"(?m)^9100/tcp\s+ALLOW IN\s+Anywhere\s+# hand-added$",
    "firewalld": r"(?m)^\s*ports:.*(?<![0-9])9100/tcp",
}

# Runs on the probe: connects to HOST on each PORT and prints a JSON object
# {port: "open" | "timeout" | "refused" | "rejected: ..." | "error: ..."}
# ("rejected": an ICMP unreachable, as firewalld's reject answers). Mode "open" retries
# until the port answers or 30 s have passed (a loaded machine is slow);
# mode "closed" makes one attempt with a 5 s timeout, as a dropped SYN needs.
# Runs on the probe: connects to HOST on each PORT and prints a JSON object
# {port: "open" | "timeout" | "refused" | "rejected: ..." | "error: ..."}
# ("rejected": an ICMP unreachable, as firewalld's reject answers). HOST may be
# an IPv6 link-local address with its zone (fe80::1%eth0). Mode "open" retries
# until the port answers or 30 s have passed (a loaded machine is slow);
# mode "closed" makes one attempt with a 5 s timeout, as a dropped SYN needs.
PROBE_SCRIPT = r"""
import errno, json, socket, sys, time
host, mode, ports = sys.argv[1], sys.argv[2], [int(p) for p in sys.argv[3:]]

def attempt(port, timeout):
    family, kind, proto, _, address = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.settimeout(timeout)
    try:
        sock.connect(address)
        return "open"
    except socket.timeout:
        return "timeout"
    except ConnectionRefusedError:
        return "refused"
    except OSError as exc:
        # IPv6 "administratively prohibited" (firewalld's reject) is EACCES.
        if exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EACCES):
            return "rejected: " + str(exc)
        return "error: " + str(exc)
    finally:
        sock.close()

found = {}
for port in ports:
    if mode == "open":
        deadline = time.monotonic() + 30
        while True:
            found[port] = attempt(port, 5)
            if found[port] == "open" or time.monotonic() > deadline:
                break
            time.sleep(1)
    else:
        found[port] = attempt(port, 5)
print(json.dumps(found))
"""


@pytest.fixture(scope="session")
def fw_name(lab):
    hosts = lab.group("firewall")
    assert len(hosts) == 1, "the inventory must have one host in the group firewall: %s" % hosts
    return hosts[0]


@pytest.fixture(scope="session")
def fw(lab, fw_name):
    """The firewall host (testinfra)."""
    return lab.host(fw_name)


@pytest.fixture(scope="session")
def probe(lab):
    """The probe on the lab network (testinfra)."""
    hosts = lab.group("probe")
    assert len(hosts) == 1, "the inventory must have one host in the group probe: %s" % hosts
    return lab.host(hosts[0])


@pytest.fixture(scope="session")
def backend(lab, fw_name):
    """The backend the scenario tests (group var lab_backend)."""
    name = lab.vars(fw_name).get("lab_backend")
    assert name in LIST_COMMANDS, "lab_backend must be one of %s, got %r" % (sorted(LIST_COMMANDS), name)
    return name


@pytest.fixture(scope="session")
def ssh_port(lab, fw_name):
    """The port SSH answers on (group var lab_ssh_port, 22 unless the scenario moved it)."""
    return int(lab.vars(fw_name).get("lab_ssh_port", 22))


@pytest.fixture(scope="session")
def fw_address(fw):
    """The firewall host's address on the lab network (an IPv4Interface: .ip, .network)."""
    out = fw.check_output("ip -4 -o addr show scope global")
    found = re.findall(r"\binet (\d+\.\d+\.\d+\.\d+/\d+)", out)
    assert len(found) == 1, "expected one global IPv4 address on the firewall host:\n%s" % out
    return ipaddress.ip_interface(found[0])


@pytest.fixture(scope="session")
def listening(fw):
    """A function: the TCP ports something listens on, on the firewall host."""

    def ports():
        out = fw.check_output("ss -H -l -t -n")
        found = set()
        for line in out.splitlines():
            fields = line.split()
            if len(fields) >= 4:
                found.add(int(fields[3].rsplit(":", 1)[1]))
        return found, out

    return ports


@pytest.fixture(scope="session")
def assert_listeners(listening):
    """A function: assert that something listens on each port on the firewall host.

    A port the probe cannot reach proves nothing unless a listener is behind it.
    """

    def check(ports):
        found, out = listening()
        missing = sorted(set(ports) - found)
        assert not missing, "nothing listens on %s on the firewall host (ss -l -t -n):\n%s" % (missing, out)

    return check


@pytest.fixture(scope="session")
def fw_link_local(fw):
    """The firewall host's IPv6 link-local address on the lab network, with the probe's zone (fe80::...%eth0).

    Every container on the podman network has one, so IPv6 is tested without an IPv6 subnet.
    """
    out = fw.check_output("ip -6 -o addr show dev eth0 scope link")
    found = re.findall(r"\binet6 (fe80:[0-9a-f:]+)/64", out)
    assert len(found) == 1, "expected one IPv6 link-local address on the firewall host's eth0:\n%s" % out
    return found[0] + "%eth0"


@pytest.fixture(scope="session")
def reach(probe, fw_address):
    """A function: try TCP ports of the firewall host (or of host) from the probe; {port: result}."""

    def run(ports, mode, host=None):
        ports = list(ports)
        cmd = probe.run(
            "python3 -c %s %s %s" + " %s" * len(ports),
            PROBE_SCRIPT, host or str(fw_address.ip), mode, *[str(port) for port in ports]
        )
        assert cmd.rc == 0, "the probe script failed (rc %s):\n%s\n%s" % (cmd.rc, cmd.stdout, cmd.stderr)
        return dict((int(port), result) for port, result in json.loads(cmd.stdout).items())

    return run


@pytest.fixture(scope="session")
def assert_open(reach, fw_address):
    """A function: assert that each port answers from the probe (at fw_address, or at host)."""

    def check(ports, host=None):
        found = reach(ports, "open", host)
        failed = dict((port, result) for port, result in found.items() if result != "open")
        assert not failed, "from the probe, %s:%s do not answer: %s" % (host or fw_address.ip, sorted(failed), found)

    return check


@pytest.fixture(scope="session")
def assert_closed(reach, fw_address, ssh_port):
    """A function: assert that each port times out, is refused or rejected from the probe (at fw_address, or host).

    SSH must answer right after: an unreachable host would prove nothing.
    """

    def check(ports, host=None):
        found = reach(ports, "closed", host)
        failed = dict((port, result) for port, result in found.items()
                      if result not in ("timeout", "refused") and not result.startswith("rejected: "))
        assert not failed, "from the probe, %s:%s are not blocked: %s" % (host or fw_address.ip, sorted(failed), found)
        ssh = reach([ssh_port], "open", host)
        assert ssh[ssh_port] == "open", "from the probe, %s:%s does not answer either (%s): %s proves nothing" % (
            host or fw_address.ip, ssh_port, ssh[ssh_port], found)

    return check


class RuleListing:
    """The backend's rules as its own tool lists them: {command: output}."""

    def __init__(self, outputs):
        self.outputs = outputs

    def __str__(self):
        return "\n".join("$ %s\n%s" % (command, out) for command, out in self.outputs.items())

    def naming(self, port):
        """The commands whose output names the port (not inside a longer number)."""
        pattern = re.compile(r"(?<![0-9])%d(?![0-9])" % port)
        return [command for command, out in self.outputs.items() if pattern.search(out)]

    def not_naming(self, port):
        """The commands whose output does not name the port."""
        return [command for command in self.outputs if command not in self.naming(port)]


@pytest.fixture(scope="session")
def rules(fw, backend):
    """A function: the backend's rules now (a RuleListing)."""

    def listing():
        return RuleListing(dict((command, fw.check_output(command)) for command in LIST_COMMANDS[backend]))

    return listing


@pytest.fixture(scope="session")
def assert_hand_rule(backend):
    """A function: assert that every listing of a RuleListing shows the hand-made rule."""

    def check(listing):
        pattern = re.compile(HAND_RULE[backend])
        lost = [command for command, out in listing.outputs.items() if not pattern.search(out)]
        assert not lost, "the rule added by hand (9100, /%s/) is gone from %s:\n%s" % (
            HAND_RULE[backend], lost, listing)

    return check


@pytest.fixture(scope="session")
def state_record(fw):
    """A function: the role's state record on the firewall host (parsed JSON)."""

    def read():
        record = fw.file(STATE_FILE)
        assert record.is_file, "%s is missing on the firewall host" % STATE_FILE
        return json.loads(record.content_string)

    return read


@pytest.fixture(scope="session")
def delegated_vars(lab, fw_name):
    """Extra vars moving federation to 443 (firewall_federation_port null; JSON null overrides the group var).

    prepare.yml's listener on 8448 keeps running, so the role is told it may close it.
    """
    return {"firewall_federation_port": None,
            "firewall_accept_closing": lab.vars(fw_name)["firewall_accept_closing"] + ["8448/tcp"]}


@pytest.fixture(scope="session")
def converge(lab):
    """A function: run converge.yml (shared by the scenarios) with playbook options."""

    def run(**kwargs):
        return lab.playbook(CONVERGE, **kwargs)

    return run


@pytest.fixture(scope="session")
def assert_refused(converge, fw_name, rules, state_record):
    """A function: run converge.yml with extra_vars, assert it fails saying each of `wanted`, and changes nothing."""

    def check(extra_vars, wanted):
        rules_before, record_before = str(rules()), state_record()
        run = converge(limit=fw_name, extra_vars=extra_vars)
        recap = run.recap.get(fw_name) or {}
        assert run.rc != 0 and recap.get("failed") == 1, "the role accepted %s: %r" % (extra_vars, run)
        # ansible-core prints the error on stderr and the result on stdout, both
        # wrapped: compare word by word.
        words = " ".join((run.stdout + "\n" + run.stderr).split())
        for text in wanted:
            said = text in words
            assert said, "the refusal does not say %r: %r" % (text, run)
        assert str(rules()) == rules_before, "the refused run changed the rules:\nbefore:\n%s\nafter:\n%s" % (
            rules_before, rules())
        assert state_record() == record_before, "the refused run changed the state record"
        return run

    return check
