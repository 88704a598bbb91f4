"""Write the pip bootstrap script ansible-test wants to download.

ansible-test fetches get-pip-<version>.py from ci-files.testing.ansible.com,
which this machine cannot reach. The stand-in bootstraps pip from the
interpreter's own ensurepip, then installs what ansible-test asked for.
"""
import os
import re
import sys

import ansible_test

source = os.path.join(os.path.dirname(ansible_test.__file__), '_internal', 'python_requirements.py')
with open(source, encoding='utf-8') as handle:
    match = re.search(r"pip='([0-9.]+)'", handle.read())
if not match:
    sys.exit('cannot find the pip version ansible-test bootstraps in %s' % source)
path = os.path.expanduser('~/.ansible/test/cache/get_pip_%s.py' % match.group(1).replace('.', '_'))
STUB = '''import subprocess, sys
args = [a for a in sys.argv[1:] if a not in ('--no-setuptools', '--no-wheel')]
subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'])
if args:
    subprocess.check_call([sys.executable, '-m', 'pip', 'install'] + args)
'''
if not os.path.exists(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(STUB)
