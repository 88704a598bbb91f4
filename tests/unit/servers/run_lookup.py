# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Evaluate a lookup the way a playbook does: `ansible localhost -m debug` on a Jinja expression."""

import json
import os
import subprocess
import sys

import ansible_collections


def run_lookup(lab, expression):
    """Evaluate a Jinja expression on localhost; return (value or None, output)."""
    env = dict(os.environ)
    env['ANSIBLE_COLLECTIONS_PATH'] = os.pathsep.join(os.path.dirname(p) for p in ansible_collections.__path__)
    env['ANSIBLE_LOCALHOST_WARNING'] = 'false'
    env['ANSIBLE_NOCOLOR'] = '1'
    env['ANSIBLE_LOAD_CALLBACK_PLUGINS'] = '1'
    env['ANSIBLE_STDOUT_CALLBACK'] = 'ansible.builtin.minimal'
    extra = json.dumps({'ns': lab.nameservers, 'ca': lab.ca_path})
    adhoc = os.path.join(os.path.dirname(sys.executable), 'ansible')
    proc = subprocess.run([adhoc, 'localhost', '-c', 'local', '-e', extra, '-e', 'ansible_python_interpreter=' + sys.executable,
                           '-m', 'ansible.builtin.debug', '-a', 'msg={{ (%s) | to_json }}' % expression],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    output = proc.stdout + proc.stderr
    assert 'Traceback (most recent call last)' not in output
    if proc.returncode != 0:
        return None, output
    body = proc.stdout[proc.stdout.index('{'):]
    return json.loads(json.loads(body)['msg']), output
