# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
name: bench_count
type: aggregate
short_description: Count remote module executions of a playbook run (for benchmarks/noop.py)
description:
  - Writes a JSON summary to the file named by E(BENCH_COUNT_FILE) at the end of the run.
requirements:
  - enabled with ANSIBLE_CALLBACKS_ENABLED=bench_count
'''

import json
import os

from ansible.plugins.callback import CallbackBase

# Actions that run on the controller only: no remote module execution.
LOCAL_ACTIONS = {'set_fact', 'debug', 'assert', 'fail', 'meta', 'include_tasks', 'import_tasks', 'include_role',
                 'import_role', 'include_vars', 'add_host', 'group_by', 'set_stats', 'pause', 'validate_argument_spec'}


def _short(action):
    return action.rsplit('.', 1)[-1]


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'bench_count'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.remote = 0
        self.changed = []
        self.commands = []

    def _record(self, result):
        task = result._task  # pylint: disable=protected-access
        action = _short(task.action)
        delegated = result._result.get('_ansible_delegated_vars') or {}  # pylint: disable=protected-access
        if action not in LOCAL_ACTIONS and not delegated.get('ansible_host') in ('localhost', '127.0.0.1'):
            self.remote += 1
        name = '%s: %s' % (result._host.get_name(), task.get_name())  # pylint: disable=protected-access
        if result._result.get('changed'):  # pylint: disable=protected-access
            self.changed.append(name)
        if action in ('command', 'shell', 'raw', 'script'):
            self.commands.append(name)

    def v2_runner_on_ok(self, result):
        self._record(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result)

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get('BENCH_COUNT_FILE')
        if path:
            with open(path, 'w') as handle:
                json.dump({'remote_module_executions': self.remote, 'changed': self.changed,
                           'command_tasks_run': self.commands}, handle)
