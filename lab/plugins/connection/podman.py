# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The lab's podman connection: containers.podman's, with pipelining.

Molecule's podman inventory names the connection ``podman``; with this
directory in ``connection_plugins`` that name finds this plugin. It runs
``podman exec -i`` when Ansible sends data on stdin, so a module goes to the
container's Python in one ``podman exec`` instead of a temporary directory,
a copy, a chmod, the run and a cleanup (four more ``podman`` processes per
task). On the lab's 2 cores that is most of what a task costs.
"""

from ansible_collections.containers.podman.plugins.connection import podman as _upstream

DOCUMENTATION = _upstream.DOCUMENTATION.replace('name: podman', 'name: podman', 1)


class Connection(_upstream.Connection):
    """containers.podman.podman with stdin passed through, hence pipelining."""

    has_pipelining = True

    def _podman(self, cmd, cmd_args=None, in_data=None, use_container_id=True):
        if in_data is not None and isinstance(cmd, list) and cmd[:1] == ['exec']:
            cmd = ['exec', '-i'] + cmd[1:]
        return super()._podman(cmd, cmd_args, in_data, use_container_id)
