# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The tls role re-issues when the list of names changes, and only then."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from tlslab import LIVE, dns_names, load_certificate


def issued(proxy):
    leaf = load_certificate(proxy.file(LIVE + "/cert.pem").content_string)
    return sorted(dns_names(leaf)), leaf.serial_number


def test_names_added_and_removed_reissue_same_names_do_not(lab, proxy, settings):
    if not settings["lab_reissue_test"]:
        pytest.skip("re-issuance is tested in one scenario (lab_reissue_test)")
    wanted = sorted(settings["lab_cert_names"])
    run = lab.playbook("tls.yml", extra_vars={"tls_extra_names": ["extra.example.test"]})
    assert run.rc == 0, run
    expanded, expanded_serial = issued(proxy)
    assert expanded == sorted(wanted + ["extra.example.test"])

    run = lab.playbook("tls.yml")
    assert run.rc == 0, run
    shrunk, shrunk_serial = issued(proxy)
    assert shrunk == wanted
    assert shrunk_serial != expanded_serial

    run = lab.playbook("tls.yml")
    assert run.rc == 0, run
    assert run.recap[lab.group("proxy")[0]]["changed"] == 0, run.changed_tasks()
    assert issued(proxy) == (shrunk, shrunk_serial)
