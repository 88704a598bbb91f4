# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A long batch spread over the machine's cores: one forked process per share, results streamed back.

One interpreter runs Python on one core at a time, and checking a server
(TLS handshakes, certificates, signatures, DNS messages, JSON) is CPU work
between the network waits. A batch of many servers is therefore split,
round robin, over a few child processes forked from the run (the clients are
already set up; nothing is re-imported or re-validated). Each child tests its
share with the usual engine and writes every report, as soon as it is ready,
as one JSON line on a pipe of its own; the parent reads all pipes at once and
keeps the input order. A child that dies (killed, out of memory, a crash)
loses only the reports it had not yet written: those servers get an
``INTERNAL_ERROR`` report naming how the child ended.

Forking is done only when the process has no other thread (a thread holding
a lock at the fork, such as an import in progress, would leave that lock
held forever in the child); otherwise the batch runs in this process.
"""

import json
import os
import selectors
import signal
import threading

# Auto mode: at most this many processes, and only when every one gets at
# least MIN_SHARE servers (below that, a fork costs more than it saves).
MAX_PROCESSES = 8
MIN_SHARE = 32


def usable_cpus():
    """The CPUs this process may run on (its affinity mask, as a container or ``taskset`` limits it)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def plan_processes(count, requested=None, concurrency=32):
    """How many processes test ``count`` servers: ``requested``, or automatically; never more than useful.

    Automatic (``requested`` ``None`` or 0): one per usable CPU, at most
    :data:`MAX_PROCESSES`, each with at least :data:`MIN_SHARE` servers.
    Never more processes than servers or than ``concurrency`` (each process
    tests at least one server at a time, and together they never exceed
    ``concurrency``). 1 means: in this process.
    """
    if requested:
        wanted = int(requested)
    else:
        wanted = min(usable_cpus(), MAX_PROCESSES, count // MIN_SHARE)
    return max(1, min(wanted, count, int(concurrency)))


def can_fork():
    """Whether forking is safe now: POSIX, and no thread besides this one."""
    return hasattr(os, 'fork') and threading.active_count() == 1


def shares(names, processes):
    """``names`` dealt round robin into ``processes`` shares (neighbours in the list go to different processes)."""
    return [names[index::processes] for index in range(processes)]


def _json_default(value):
    """What Ansible's own result encoder accepts besides JSON's types (sets, dates); anything else is a bug."""
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if hasattr(value, 'isoformat'):
        return value.isoformat()
    raise TypeError('%r is not JSON serializable' % (value,))


def _child(share, run_share, fd):
    """Run in the forked child: test the share, one JSON line per report; never returns."""
    status = 1
    try:
        with os.fdopen(fd, 'w', encoding='utf-8') as out:
            lock = threading.Lock()

            def emit(name, report):
                line = json.dumps([name, report], default=_json_default, separators=(',', ':'))
                with lock:
                    out.write(line + '\n')
                    out.flush()

            run_share(share, emit)
        status = 0
    except BaseException:  # pylint: disable=broad-except
        status = 1  # the parent reports the servers this child did not finish
    finally:
        # Never run the parent's exit handlers (AnsibleModule's temporary
        # directory, buffered stdout) in the child.
        os._exit(status)  # pylint: disable=protected-access


def _ended(status):
    if os.WIFSIGNALED(status):
        return 'was killed by signal %d' % os.WTERMSIG(status)
    if os.WIFEXITED(status):
        return 'exited with status %d' % os.WEXITSTATUS(status)
    return 'ended (status %d)' % status  # pragma: no cover - waitpid without WUNTRACED


def run_in_processes(names, processes, run_share, lost_report):
    """Test ``names`` in ``processes`` forked children; return ``{name: report}`` in the order of ``names``.

    ``run_share(share, emit)`` runs in a child and calls ``emit(name,
    report)`` for each server as its report is ready. ``lost_report(name,
    reason)`` makes the report of a server whose child ended before
    reporting it. The caller checks :func:`can_fork` first.
    """
    children = []
    selector = selectors.DefaultSelector()
    try:
        for share in shares(names, processes):
            read_fd, write_fd = os.pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child's coverage is not collected
                os.close(read_fd)
                for child in children:
                    os.close(child['fd'])
                _child(share, run_share, write_fd)
            os.close(write_fd)
            child = {'pid': pid, 'fd': read_fd, 'share': share, 'buffer': b'', 'status': None}
            children.append(child)
            selector.register(read_fd, selectors.EVENT_READ, child)
        reports = {}
        open_children = len(children)
        while open_children:
            for key, dummy in selector.select():
                child = key.data
                chunk = os.read(child['fd'], 1 << 16)
                if not chunk:
                    selector.unregister(child['fd'])
                    open_children -= 1
                    continue
                lines = (child['buffer'] + chunk).split(b'\n')
                child['buffer'] = lines.pop()
                for line in lines:
                    name, report = json.loads(line.decode('utf-8'))
                    reports[name] = report
        for child in children:
            child['status'] = os.waitpid(child['pid'], 0)[1]
            child['pid'] = None
    finally:
        selector.close()
        for child in children:
            os.close(child['fd'])
            if child['pid'] is not None:  # interrupted: do not leave the child behind
                _stop(child['pid'])
    for child in children:
        for name in child['share']:
            if name not in reports:
                reports[name] = lost_report(name, 'the process testing it (one of %d sharing the batch) %s before '
                                            'its report was written' % (processes, _ended(child['status'])))
    return dict((name, reports[name]) for name in names)


def _stop(pid):
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass
