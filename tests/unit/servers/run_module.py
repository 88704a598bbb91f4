# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run a collection module as a real subprocess, the way Ansible runs it."""

import json
import os
import subprocess
import sys

import ansible_collections

HERE = os.path.dirname(os.path.abspath(__file__))
COLLECTION = os.path.abspath(os.path.join(HERE, '..', '..', '..'))


def run_module(name, args, tmp_path, timeout=60, prefix=(), python_args=()):
    """Return ``(result_dict, returncode, stderr)`` of ``plugins/modules/<name>.py`` run with ``args``.

    ``prefix`` is put before the command (e.g. ``ip netns exec NAME``),
    ``python_args`` between the interpreter and the module (e.g. ``-X importtime``).
    """
    args_file = tmp_path / ('%s-args.json' % name)
    args_file.write_text(json.dumps({'ANSIBLE_MODULE_ARGS': args}))
    env = dict(os.environ)
    roots = [os.path.dirname(p) for p in ansible_collections.__path__]
    env['PYTHONPATH'] = os.pathsep.join(roots + [env.get('PYTHONPATH', '')])
    command = [sys.executable] + list(python_args) + [os.path.join(COLLECTION, 'plugins', 'modules', name + '.py'), str(args_file)]
    proc = subprocess.run(list(prefix) + command,
                          capture_output=True, text=True, timeout=timeout, env=env, check=False)
    assert 'Traceback (most recent call last)' not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    try:
        result = json.loads(proc.stdout)
    except ValueError:
        raise AssertionError('module printed no JSON: %r / %r' % (proc.stdout, proc.stderr))
    return result, proc.returncode, proc.stderr
