# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment:
    """Options of the one network client every module and lookup shares."""

    DOCUMENTATION = r'''
options:
  nameservers:
    description:
      - DNS servers to ask instead of the system resolver, as C(ip) or C(ip:port).
      - Use for split-horizon DNS, private federations and test labs.
    type: list
    elements: str
  ca_path:
    description:
      - PEM bundle of CA certificates to trust instead of the system store.
    type: path
  user_agent:
    description:
      - The C(User-Agent) header of every HTTPS request (well-known, keys, version, notaries).
      - A web application firewall or CDN in front of a homeserver often blocks agents it does not know;
        set it to what homeservers send (Synapse sends C(Synapse/<version>)) to see what they see, or to the
        collection's default to see whether the firewall is what blocks.
      - Defaults to C(ansible-matrix.federation/<version>).
    type: str
  timeout:
    description:
      - The time limit, in seconds, of the whole run (of each server's test when several are tested).
      - One deadline bounds every DNS exchange, TCP connect, TLS handshake, C(send) and C(recv), and a redirect
        chain as a whole, so a server that trickles one byte at a time, stalls its TLS handshake, sends an
        endless body or chains slow redirects cannot stretch the run. The run ends within O(timeout) plus a
        fraction of a second for the report, with a coded C(*TIMEOUT) error for what did not finish.
      - A step that other steps follow (the well-known fetch with its redirects, one DNS exchange per
        nameserver, a TCP connect, a TLS handshake, a wait for a pipelined answer) may take a third of it;
        the last step (reading the key and version answers) may use all the time left.
    type: float
    default: 10
requirements:
  - cryptography >= 3.4
'''
