# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The run context: the run's deadline, the threads, the shared answers, the clients and the optional libraries.

Every module and lookup builds its clients here (:func:`make_clients`,
:func:`make_dns_client`, :func:`clients_for_run`), asks here whether the
optional Python libraries are there (:func:`missing_library`) and imports
them here when a run first uses them (:func:`load_library`,
:func:`preload`), so a run's time limit, concurrency and dependency
report are the same everywhere. The
transport clients import this file, not the other way round: they are
imported only when a client is built.
"""

import importlib
import importlib.util
import queue
import sys
import threading

from ansible_collections.matrix.federation.plugins.module_utils._federation.deadline import Deadline
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError

# The ``timeout`` option is the whole run's time limit. A run has three
# phases (the well-known fetch, DNS, the connections); a step that can be
# followed by another (the well-known fetch with all its redirects, one DNS
# exchange, one TCP connect or TLS handshake, one wait for a pipelined
# answer) may take at most this share of it, so a stalled step still leaves
# time for the ones after it.
PHASES = 3

# The optional libraries, by the name missing_required_lib() gives: the
# package, then the modules the collection uses of it. (DNS needs none: the
# wire format is read by dnswire.py, on the standard library.)
_LIBRARIES = {
    'cryptography': ('cryptography', ('cryptography.exceptions', 'cryptography.x509',
                                      'cryptography.hazmat.primitives.hashes',
                                      'cryptography.hazmat.primitives.serialization',
                                      'cryptography.hazmat.primitives.asymmetric.ed25519')),
}


def _find(package):
    """``None`` when ``package`` is installed (found without importing it), else the ``ImportError`` its import raises.

    Importing cryptography costs tens of milliseconds of CPU; whether they are there is known from the import system's search
    alone, so a module can refuse to run without them before it starts, and
    import them only when (and if) a run uses them (:func:`load_library`).
    """
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError) as exc:  # pragma: no cover - a broken entry in sys.modules
        return ImportError(str(exc))
    if spec is None or spec.origin in (None, 'namespace'):
        # A directory without __init__.py is a namespace package, not the library.
        return ModuleNotFoundError('No module named %r' % package, name=package)
    return None


CRYPTOGRAPHY_IMPORT_ERROR = _find(_LIBRARIES['cryptography'][0])
HAS_CRYPTOGRAPHY = CRYPTOGRAPHY_IMPORT_ERROR is None
_IMPORT_ERRORS = {'cryptography': CRYPTOGRAPHY_IMPORT_ERROR}
# Per library: a lock that one importing thread holds (the others wait for it
# rather than import the same package at once), and whether it was imported.
_LOADS = dict((name, {'lock': threading.Lock(), 'done': False}) for name in _LIBRARIES)
# What preload() has started importing in the background.
_PRELOADING = set()


def missing_library(*names):
    """``(name, ImportError)`` of the first of ``names`` (``cryptography``) not installed, or ``None``.

    Nothing is imported: the import system's search says whether a library
    is there (:func:`load_library` imports it when a run needs it).
    """
    for name in names:
        if _IMPORT_ERRORS[name] is not None:
            return name, _IMPORT_ERRORS[name]
    return None


def require_library(name):
    """Raise ``FederationError('MISSING_LIBRARY')`` when the optional library ``name`` is not installed."""
    if _IMPORT_ERRORS[name] is not None:
        raise FederationError('MISSING_LIBRARY', 'the Python library "%s" is required: %s' % (name, _IMPORT_ERRORS[name]))


def load_library(name):
    """Import the modules the collection uses of the optional library ``name``, once per process.

    One thread imports, the others (and the callers after it) wait for it;
    a run calls this where it first uses the library, so a run that never
    does (an IP literal needs no DNS) never pays for the import. Raises
    ``FederationError('MISSING_LIBRARY')`` when the library is not installed
    or cannot be imported (then the ``ImportError`` is kept and reported by
    :func:`missing_library` from then on).
    """
    require_library(name)
    state = _LOADS[name]
    if not state['done']:
        with state['lock']:
            if not state['done']:
                try:
                    for module in _LIBRARIES[name][1]:
                        importlib.import_module(module)
                except ImportError as exc:
                    _IMPORT_ERRORS[name] = exc
                state['done'] = True
    require_library(name)


def preload(*names):
    """Start importing ``names``, in order, in one background thread.

    A name is an optional library (``cryptography``, imported as
    :func:`load_library` does, if it is installed) or a module
    (``http.client``). The imports then overlap the run's network waits
    instead of adding to them; whoever needs one first waits for it (an
    optional library through :func:`load_library`, a module through the
    import system's own lock). The thread is not a daemon: a run that ends
    without them lets the imports finish before the interpreter exits,
    never interrupts them.
    """
    wanted = [name for name in names if name not in _PRELOADING and not _loaded(name)]
    if wanted:
        _PRELOADING.update(wanted)
        threading.Thread(target=_preload, args=(wanted,), name='preload').start()


def _loaded(name):
    if name in _LOADS:
        return _LOADS[name]['done'] or _IMPORT_ERRORS[name] is not None
    return name in sys.modules


def _preload(names):
    for name in names:
        try:
            if name in _LOADS:
                load_library(name)
            else:
                importlib.import_module(name)
        except (FederationError, ImportError):
            pass  # whoever needs it reports it (load_library keeps the ImportError)


def step_timeout(timeout):
    """The most one step may take of a run whose time limit is ``timeout``: ``timeout / PHASES``."""
    return float(timeout) / PHASES


def run_deadline(timeout):
    """The deadline of one run: ``timeout`` seconds from now, for everything it does."""
    return Deadline(float(timeout))


def run_parallel(functions):
    """Run callables at once in threads; return ``[(result, exception), ...]`` in order.

    The first runs in the calling thread, each other one in a thread of
    :data:`_THREADS` (a waiting one when there is one, a new one otherwise, so
    nested steps never wait for each other). Every callable must bound
    itself in time (all network steps do, through the deadline), so
    waiting for them never hangs.
    """
    results = [(None, None)] * len(functions)
    finished = queue.SimpleQueue()

    def runner(index, function):
        try:
            results[index] = (function(), None)
        except Exception as exc:  # pylint: disable=broad-except
            results[index] = (None, exc)
        finally:
            if index:
                finished.put(index)

    for index, function in enumerate(functions[1:], 1):
        _THREADS.run(lambda index=index, function=function: runner(index, function))
    if functions:
        runner(0, functions[0])
    for dummy in functions[1:]:
        finished.get()
    return results


class _Threads:
    """Threads that wait for the next function instead of ending.

    A batch makes a few parallel steps per server, each of a few
    functions; handing a function to a waiting thread costs a fraction of
    starting one (benchmarks/README.md, "fleet", 2026-12-03 20:16). At most
    ``keep`` threads wait; a thread that finds ``keep`` others waiting ends.
    The threads are daemons: a waiting one never holds the interpreter's
    exit. A waiting thread counts in ``threading.active_count()``, so a
    process that made parallel steps no longer forks a batch
    (``processes.can_fork``); the module decides before its first step.
    """

    def __init__(self, keep=64):
        self._keep = keep
        self._lock = threading.Lock()
        self._waiting = []

    def run(self, function):
        """Run ``function`` (it must not raise) in a waiting thread, or in a new one."""
        with self._lock:
            inbox = self._waiting.pop() if self._waiting else None
        if inbox is not None:
            inbox.put(function)
            return
        inbox = queue.SimpleQueue()
        inbox.put(function)
        thread = threading.Thread(target=self._serve, args=(inbox,), name='federation-step')
        thread.daemon = True
        thread.start()

    def _serve(self, inbox):
        while True:
            inbox.get()()
            with self._lock:
                if len(self._waiting) >= self._keep:
                    return
                self._waiting.append(inbox)


_THREADS = _Threads()


class SharedCache:
    """Answers shared by every run of a batch: each key is computed once.

    An answer spoilt by the asking run's own deadline (finished after it, or
    code ``TIMEOUT``) is not kept, so one slow server never poisons the others; a run waiting for
    another run's lookup waits no longer than its own deadline.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = {}

    def get(self, key, compute, deadline):
        while True:
            with self._lock:
                entry = self._entries.get(key)
                owner = entry is None
                if owner:
                    entry = self._entries[key] = {'done': threading.Event(), 'result': None, 'error': None}
            if owner:
                try:
                    entry['result'] = compute()
                except Exception as exc:  # pylint: disable=broad-except
                    entry['error'] = exc
                finally:
                    # An answer cut short by this run's own deadline is not
                    # the answer the others would get.
                    entry['spoilt'] = deadline.remaining() < 0.05 or _spoilt(entry)
                    if entry['spoilt']:
                        with self._lock:
                            self._entries.pop(key, None)
                    entry['done'].set()
            elif not entry['done'].wait(max(0.0, deadline.remaining())):
                raise FederationError('TIMEOUT', 'the overall time limit for this run was reached')
            if owner or not entry['spoilt']:
                if entry['error'] is not None:
                    raise entry['error']
                return entry['result']
            # The owner ran out of its own time: look it up again for this run.


def _spoilt(entry):
    error = entry['error']
    if isinstance(error, FederationError):
        return error.code == 'TIMEOUT'
    result = entry['result']
    return isinstance(result, dict) and isinstance(result.get('error'), dict) and result['error'].get('code') == 'TIMEOUT'


def make_dns_client(nameservers=None, timeout=10.0):
    """The DNS client of a run that needs no HTTPS; raises for bad settings."""
    from ansible_collections.matrix.federation.plugins.module_utils._federation.dnsclient import DnsClient
    return DnsClient(nameservers, timeout, run_deadline(timeout))


def check_user_agent(user_agent):
    """Refuse a ``User-Agent`` that would break the request (control characters split headers)."""
    if user_agent is not None and (not user_agent.strip() or any(ord(c) < 32 or ord(c) == 127 for c in user_agent)):
        raise FederationError('INVALID_USER_AGENT', 'user_agent must be non-empty printable text without line breaks, '
                              'got %r' % user_agent)
    return user_agent


def make_clients(nameservers=None, ca_path=None, timeout=10.0, user_agent=None):
    """The DNS and HTTPS clients a run (or a batch of runs) shares; raises for bad settings."""
    from ansible_collections.matrix.federation.plugins.module_utils._federation.dnsclient import DnsClient
    from ansible_collections.matrix.federation.plugins.module_utils._federation.httpsclient import HttpsClient
    if not HAS_CRYPTOGRAPHY:
        raise FederationError('MISSING_LIBRARY', 'the Python library "cryptography" is required')
    check_user_agent(user_agent)
    dns = DnsClient(nameservers, timeout, run_deadline(timeout))
    return dns, HttpsClient(dns, ca_path, timeout, user_agent=user_agent)


def make_https_client(nameservers=None, ca_path=None, timeout=10.0, user_agent=None):
    """An HTTPS client with its DNS client, for a run that needs no batch."""
    from ansible_collections.matrix.federation.plugins.module_utils._federation.dnsclient import DnsClient
    from ansible_collections.matrix.federation.plugins.module_utils._federation.httpsclient import HttpsClient
    check_user_agent(user_agent)
    dns = DnsClient(nameservers, timeout, run_deadline(timeout))
    return HttpsClient(dns=dns, ca_path=ca_path, timeout=timeout, user_agent=user_agent)


def clients_for_run(base_dns, base_https, timeout):
    """Clients for one run of a batch: the shared ones with the run's own deadline, starting now."""
    deadline = run_deadline(timeout)
    dns = base_dns.for_run(deadline)
    return dns, base_https.for_run(dns, deadline)
