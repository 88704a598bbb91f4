# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Compare what `ansible-playbook --check` said would change with what the real run changed.

Usage: changed_tasks.py CHECK_LOG RUN_LOG. Prints JSON: predicted, changed (as "host: task"),
unpredicted (changed but not predicted) and overpredicted (predicted but unchanged).
"""
import json
import re
import sys


def changed_tasks(path):
    task, found = None, set()
    with open(path, encoding='utf-8', errors='replace') as handle:
        for line in handle:
            header = re.match(r'^(?:TASK|RUNNING HANDLER) \[(.*)\]', line)
            if header:
                task = header.group(1)
                continue
            result = re.match(r'^changed: \[([^\]]+)\]', line)
            if result and task:
                found.add('%s: %s' % (result.group(1).split(' -> ')[0], task))
    return found


def main():
    predicted, changed = changed_tasks(sys.argv[1]), changed_tasks(sys.argv[2])
    print(json.dumps({'predicted': sorted(predicted), 'changed': sorted(changed),
                      'unpredicted': sorted(changed - predicted), 'overpredicted': sorted(predicted - changed)},
                     indent=2))


if __name__ == '__main__':
    main()
