# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The federation test of one server and of many: discovery, then probes, then checks, then the report.

Each server's run has its own deadline from the run context; a batch shares
the DNS answers and TLS set-up and contains each server's failure.
"""

import threading
import time

from ansible_collections.matrix.federation.plugins.module_utils._federation.checks import build_connection_report, error_finding
from ansible_collections.matrix.federation.plugins.module_utils._federation.discovery import resolve_server_name
from ansible_collections.matrix.federation.plugins.module_utils._federation.probes import probe_targets
from ansible_collections.matrix.federation.plugins.module_utils._federation.processes import can_fork, plan_processes, run_in_processes
from ansible_collections.matrix.federation.plugins.module_utils._federation.report import build_report, internal_error_report, lost_report, summarize
from ansible_collections.matrix.federation.plugins.module_utils._federation.runctx import (
    clients_for_run,
    load_library,
    make_clients,
    preload,
    run_parallel,
)


def run_federation_test(server_name, nameservers=None, ca_path=None, timeout=10.0, expected_keys=None,
                        cert_expiry_warn_days=14, now=None, user_agent=None, notaries=None):
    """Test federation with ``server_name`` as another homeserver would; return the report.

    With ``notaries`` (server names), the report also has ``notaries``:
    what each of them holds for the server, against what it publishes
    (``notary.check_notaries``), asked within the same deadline.

    Never raises for network, DNS or server-name problems (they become
    ``errors`` entries); raises ``FederationError`` only for bad client
    settings (``INVALID_NAMESERVER``, ``INVALID_CA_PATH``, ``MISSING_LIBRARY``).
    The run ends within ``timeout`` seconds (its deadline, down to every
    ``recv``), plus the time to build the report.
    """
    dns, https = make_clients(nameservers, ca_path, timeout, user_agent)
    _prepare_libraries([server_name], notaries)
    return _test_one(server_name, dns, https, timeout, expected_keys, cert_expiry_warn_days, now, notaries)


def _prepare_libraries(server_names, notaries):
    """Import what the run's first step needs now, and what comes later in the background.

    DNS and HTTP need nothing beyond the standard library (``dnswire``,
    ``httpwire``). cryptography is first needed when a certificate or a
    signature is checked (after the network exchanges): it is imported in a
    thread of its own meanwhile (``runctx.preload``), and the first use
    waits for it.
    """
    preload('cryptography')


def _test_one(server_name, base_dns, base_https, timeout, expected_keys, cert_expiry_warn_days, now, notaries=None):
    """One server's test on the shared clients, with its own deadline (starting now)."""
    started = time.monotonic()
    dns, https = clients_for_run(base_dns, base_https, timeout)
    discovery = resolve_server_name(server_name, dns, https)
    resolution = discovery['resolution']
    probes = probe_targets(https, resolution)
    now = now if now is not None else time.time()
    connections = []
    for key, target, address, probe, exc in probes:
        if exc is not None:
            connections.append((key, None, error_finding(exc)))
            continue
        report, error = build_connection_report(server_name, resolution, target, address, probe, now,
                                                expected_keys, cert_expiry_warn_days)
        connections.append((key, report, error))
    report = build_report(server_name, discovery, connections, int((time.monotonic() - started) * 1000))
    if notaries:
        from ansible_collections.matrix.federation.plugins.module_utils._federation.notary import (  # pylint: disable=import-outside-toplevel
            check_notaries,
            merge_notary_findings,
        )
        merge_notary_findings(report, check_notaries(notaries, report, dns, https, int(now * 1000)))
        report['duration_ms'] = int((time.monotonic() - started) * 1000)
    return report


def run_batch(server_names, test, concurrency=32, emit=None):
    """Run ``test(server_name)`` for every name, ``concurrency`` at a time; return ``{name: report}``.

    Names are tested once each (duplicates dropped, order kept). An
    exception in one test becomes that server's ``INTERNAL_ERROR`` report;
    the others go on. ``emit(name, report)``, when given, is called as each
    report is ready (one call at a time).
    """
    names = list(dict.fromkeys(server_names))
    reports = {}
    lock = threading.Lock()
    queue = list(reversed(names))

    def worker():
        while True:
            with lock:
                if not queue:
                    return
                name = queue.pop()
            started = time.monotonic()
            try:
                report = test(name)
            except Exception as exc:  # pylint: disable=broad-except
                report = internal_error_report(name, exc, int((time.monotonic() - started) * 1000))
            with lock:
                reports[name] = report
                if emit is not None:
                    emit(name, report)

    run_parallel([worker] * max(1, min(int(concurrency), len(names))))
    return dict((name, reports[name]) for name in names)


def run_federation_tests(server_names, nameservers=None, ca_path=None, timeout=10.0, expected_keys=None,
                         cert_expiry_warn_days=14, concurrency=32, now=None, user_agent=None, notaries=None,
                         processes=None):
    """Test many servers at once (``concurrency`` at a time) sharing DNS answers and TLS set-up.

    Each report is the one :func:`run_federation_test` gives for that name,
    with its own ``timeout`` deadline counted from its start (a stalled
    server never delays the others' reports). A long list is spread over
    ``processes`` forked processes (``None`` or 0: one per usable CPU when
    the list is long enough, see :mod:`processes`; 1: this process only),
    which share ``concurrency`` between them. Returns ``{federation_ok,
    reports: {name: report}, summary, duration_ms, processes}``. Raises
    ``FederationError`` only for bad client settings, before any test.
    """
    started = time.monotonic()
    dns, https = make_clients(nameservers, ca_path, timeout, user_agent)
    names = list(dict.fromkeys(server_names))
    count = plan_processes(len(names), processes, concurrency)
    if count > 1 and not can_fork():
        count = 1

    def run_share(share, emit=None):
        _prepare_libraries(share, notaries)
        return run_batch(share, lambda name: _test_one(name, dns, https, timeout, expected_keys,
                                                       cert_expiry_warn_days, now, notaries),
                         max(1, int(concurrency) // count), emit)

    if count > 1:
        # Imported once here, before the fork (no thread runs yet), rather than once in every child.
        load_library('cryptography')
        reports = run_in_processes(names, count, run_share, lost_report)
    else:
        reports = run_share(names)
    return {'federation_ok': bool(reports) and all(r['federation_ok'] for r in reports.values()),
            'reports': reports, 'summary': summarize(reports), 'processes': count,
            'duration_ms': int((time.monotonic() - started) * 1000)}
