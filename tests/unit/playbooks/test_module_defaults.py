# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""module_defaults for group/matrix.federation.network reach the modules, run by ansible-playbook.

The lab's names resolve only through its nameservers and its certificates
verify only with its CA: a task that gives neither succeeds only if the
group's defaults reached the module; the User-Agent the lab's site sees
shows that user_agent did too.
"""

import json
import os
import subprocess
import sys

import ansible_collections

PLAY = [{
    'name': 'Network options set once for the group',
    'hosts': 'localhost',
    'gather_facts': False,
    'module_defaults': {'group/matrix.federation.network': None},
    'tasks': [
        {'name': 'Test a server with the group defaults only',
         'matrix.federation.matrix_federation_test': {'server_name': 'srv.lab.test'},
         'register': 'tested'},
        {'name': 'Fetch its well-known document with the group defaults only',
         'matrix.federation.matrix_wellknown': {'server_name': 'wksrv.lab.test'},
         'register': 'fetched'},
    ],
}]


def test_group_defaults_reach_the_modules(federation_lab, tmp_path):
    site = federation_lab.sites_by_name['srv.lab.test'][0]
    seen = len(site.requests)
    play = json.loads(json.dumps(PLAY))
    play[0]['module_defaults']['group/matrix.federation.network'] = {
        'nameservers': federation_lab.nameservers, 'ca_path': federation_lab.ca_path, 'timeout': 3,
        'user_agent': 'group-defaults/1.0'}
    playbook = tmp_path / 'play.yml'
    playbook.write_text(json.dumps(play))
    env = dict(os.environ)
    env['ANSIBLE_COLLECTIONS_PATH'] = os.pathsep.join(os.path.dirname(p) for p in ansible_collections.__path__)
    env['ANSIBLE_LOCALHOST_WARNING'] = 'false'
    env['ANSIBLE_NOCOLOR'] = '1'
    env['ANSIBLE_STDOUT_CALLBACK'] = 'ansible.posix.json'
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', 'localhost,', '-c', 'local',
               '-e', 'ansible_python_interpreter=' + sys.executable, str(playbook)]
    proc = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    tasks = json.loads(proc.stdout)['plays'][0]['tasks']
    tested = tasks[0]['hosts']['localhost']
    fetched = tasks[1]['hosts']['localhost']
    assert tested['federation_ok'] is True, tested
    assert tested['invocation']['module_args']['nameservers'] == federation_lab.nameservers
    assert fetched['invocation']['module_args']['ca_path'] == federation_lab.ca_path
    assert fetched['invocation']['module_args']['timeout'] == 3
    assert set(r['user_agent'] for r in site.requests[seen:]) == {'group-defaults/1.0'}
