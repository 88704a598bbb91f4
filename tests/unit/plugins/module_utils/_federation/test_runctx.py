# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

import threading

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.runctx import (
    Deadline,
    SharedCache,
    _find,
    load_library,
    missing_library,
    preload,
    require_library,
    run_deadline,
    run_parallel,
    step_timeout,
)


def test_deadline_caps_steps_and_expires():
    deadline = Deadline(5)
    assert 4 < deadline.step(10) <= 5
    assert deadline.step(1) == 1
    assert deadline.sub(1).expires <= deadline.expires
    with pytest.raises(FederationError) as err:
        Deadline(-1).step(1)
    assert err.value.code == 'TIMEOUT'


def test_run_parallel_keeps_order_and_exceptions():
    def boom():
        raise ValueError('boom')

    results = run_parallel([lambda: 1, boom, lambda: 3])
    assert results[0] == (1, None) and results[2] == (3, None)
    assert results[1][0] is None and isinstance(results[1][1], ValueError)
    assert run_parallel([]) == []


def test_run_parallel_reuses_its_threads():
    # A batch makes about four parallel steps per server: starting a thread for each function costs several
    # times handing the function to a thread that waits for work.
    def names(count):
        gate, seen = threading.Barrier(count), []

        def function():
            gate.wait(5)  # all at once: one thread each
            seen.append(threading.get_native_id())
        run_parallel([function] * count)
        return set(seen) - {threading.get_native_id()}

    first = names(6)
    assert len(first) == 5
    assert names(6) == first


def test_run_parallel_nested_steps_all_finish():
    # Parallel steps inside parallel steps (a batch's servers, their lookups, each host's A and AAAA) never wait
    # for a thread another step holds.
    def level(depth):
        if depth == 0:
            return 1
        return sum(result for result, exc in run_parallel([lambda: level(depth - 1)] * 4))

    assert level(4) == 4 ** 4


def test_shared_cache_computes_once_and_drops_timeouts():
    cache, calls = SharedCache(), []
    deadline = Deadline(5)
    assert cache.get('k', lambda: calls.append(1) or 'v', deadline) == 'v'
    assert cache.get('k', lambda: calls.append(1) or 'w', deadline) == 'v'
    assert calls == [1]

    def timeout():
        calls.append(2)
        raise FederationError('TIMEOUT', 'late')

    for dummy in range(2):
        with pytest.raises(FederationError):
            cache.get('t', timeout, deadline)
    assert calls == [1, 2, 2]


def test_libraries_are_installed_in_the_test_venv():
    assert missing_library('cryptography') is None
    require_library('cryptography')


def test_timeout_is_the_run_deadline_and_a_step_a_third_of_it():
    assert 1.9 < run_deadline(2).remaining() <= 2
    assert step_timeout(3) == 1.0 and step_timeout('4.5') == 1.5


def test_a_library_is_found_without_importing_it_and_imported_once_on_demand():
    error = _find('matrix_federation_no_such_package')
    assert isinstance(error, ImportError) and str(error) == "No module named 'matrix_federation_no_such_package'"
    assert _find('cryptography') is None
    preload('http.client', 'cryptography')
    load_library('cryptography')
    import cryptography.x509  # pylint: disable=import-outside-toplevel
    assert cryptography.x509.load_der_x509_certificate
