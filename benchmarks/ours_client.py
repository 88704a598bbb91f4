# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The collection's client in its own process (as Synapse's runs in its own), one name after another.

Reads ``{names, nameservers, ca_path, timeout}`` on stdin, prints
``{results: {name: {start, end, ok, method}}}``; the lab stays in the
benchmark's process, so the two do not share an interpreter lock.
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), '.build', 'collections'))

from ansible_collections.matrix.federation.plugins.module_utils._federation.tester import run_federation_test  # noqa: E402 - importable only after the sys.path line above


def main():
    job = json.load(sys.stdin)
    results = {}
    for name in job['names']:
        start = time.time()
        report = run_federation_test(name, nameservers=job['nameservers'], ca_path=job['ca_path'],
                                     timeout=job.get('timeout', 10))
        end = time.time()
        results[name] = {'start': start, 'end': end, 'ok': report['federation_ok'],
                         'method': report['resolution']['method'], 'errors': report['errors']}
        time.sleep(job.get('pause', 0))
    json.dump({'results': results}, sys.stdout)


if __name__ == '__main__':
    main()
