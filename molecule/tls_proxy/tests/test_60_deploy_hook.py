# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The certbot deploy hook quotes what it interpolates: a deploy directory
with a space, a quote and a "$" works as certbot runs the hook; a path that
cannot be written into the hook at all is refused before anything changes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from tlslab import LIVE

HOOK = "/etc/letsencrypt/renewal-hooks/deploy/matrix-federation-example.test.sh"
ODD_DIR = "/etc/matrix-federation/tls dir's $HOME"


@pytest.fixture
def hook_test(settings):
    if not settings["lab_hook_test"]:
        pytest.skip("the deploy hook is tested in one scenario (lab_hook_test)")


def test_a_path_with_a_newline_is_refused(lab, proxy, hook_test):
    before = proxy.file(HOOK).sha256sum
    run = lab.playbook("tls.yml", extra_vars={"tls_deploy_dir": "/etc/tls\ntouch /tmp/pwned"})
    host = lab.group("proxy")[0]
    assert run.rc != 0 and run.recap[host]["failed"] == 1 and run.recap[host]["changed"] == 0, run
    # The message (JSON-escaped in Ansible's output) names the variable, the value and the fault.
    for words in ("Nothing was changed.", "tls_deploy_dir", "/etc/tls\\\\ntouch /tmp/pwned", "is refused: it has a newline"):
        assert words in run.stdout + run.stderr, run
    assert proxy.file(HOOK).sha256sum == before


def test_an_odd_but_legal_path_works_when_certbot_runs_the_hook(lab, proxy, hook_test):
    dest = ODD_DIR + "/example.test"
    try:
        run = lab.playbook("tls.yml", extra_vars={"tls_deploy_dir": ODD_DIR})
        assert run.rc == 0, run
        # The role copied the files itself; the hook must make them again.
        proxy.run_expect([0], "rm -f -- %s %s", dest + "/fullchain.pem", dest + "/privkey.pem")
        result = proxy.run("env RENEWED_LINEAGE=%s %s", LIVE, HOOK)
        assert result.rc == 0, result.stdout + result.stderr
        for name, mode in (("fullchain.pem", 0o644), ("privkey.pem", 0o640)):
            copied = proxy.file(dest + "/" + name)
            assert copied.exists and copied.mode == mode, name
            assert copied.sha256sum == proxy.file(LIVE + "/" + name).sha256sum, name
        assert proxy.service("nginx").is_running
    finally:
        # Back to the scenario's hook and directory.
        run = lab.playbook("tls.yml")
        proxy.run("rm -rf -- %s", ODD_DIR)
    assert run.rc == 0, run
