# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A module's AnsiballZ payload, built as the controller builds it for a new playbook run (an empty payload cache).

Run as a script, in a process of its own (ansible-core's plugin loader
installs its collection finder, which a test process has replaced), with
``ANSIBLE_COLLECTIONS_PATH`` naming the collection::

    python payload.py files MODULE             # JSON: the payload's file names
    python payload.py time ROUNDS MODULE ...   # JSON: {module: [[CPU seconds, payload bytes], ...]}

The test of what the tester's payload holds and ``benchmarks/startup.py``
use it.
"""

import base64
import io
import json
import re
import sys
import tempfile
import time
import zipfile

from ansible import constants as C
from ansible.executor import module_common
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import init_plugin_loader, module_loader
from ansible.template import Templar


def build(name):
    """The payload (the AnsiballZ file's bytes) of module ``name``, with a fresh payload cache."""
    context = module_loader.find_plugin_with_context(name)
    with tempfile.TemporaryDirectory() as local_tmp:
        C.DEFAULT_LOCAL_TMP = local_tmp
        built = module_common.modify_module(
            module_name=context.resolved_fqcn, module_path=context.plugin_resolved_path, module_args={},
            templar=Templar(loader=DataLoader()), task_vars={'ansible_python_interpreter': sys.executable},
            module_compression='ZIP_DEFLATED')
    # ansible-core 2.16 returns a tuple, 2.19 an object.
    return built[0] if isinstance(built, tuple) else built.b_module_data


def files(data):
    """The file names in the payload ``data`` (its base64 zip is the longest base64 run in it)."""
    encoded = max(re.findall(rb'[A-Za-z0-9+/=]{4096,}', data), key=len)
    return zipfile.ZipFile(io.BytesIO(base64.b64decode(encoded))).namelist()


def main(argv):
    init_plugin_loader()
    if argv[0] == 'files':
        return files(build(argv[1]))
    out = {}
    for dummy in range(int(argv[1])):
        for name in argv[2:]:
            started = time.process_time()
            data = build(name)
            out.setdefault(name, []).append([time.process_time() - started, len(data)])
    return out


if __name__ == '__main__':
    print(json.dumps(main(sys.argv[1:])))
