# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""--check --diff of the converge playbook on the converged host predicts no
change, also when the admin (re-)enabled an nginx default site they edited:
only Debian's untouched default site is ever disabled."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

DEFAULT = "/etc/nginx/sites-available/default"
DEFAULT_LINK = "/etc/nginx/sites-enabled/default"


@pytest.fixture
def edited_default_site(proxy, settings):
    """For nginx: the default site edited and enabled, as an admin would; put back afterwards."""
    if settings["lab_backend"] != "nginx":
        yield False
        return
    proxy.run_expect([0], "cp -p %s /tmp/default.stock", DEFAULT)
    proxy.run_expect([0], "sed -i 's|root /var/www/html;|root /var/www/admin-default;|' %s", DEFAULT)
    proxy.run_expect([0], "ln -sfn %s %s", DEFAULT, DEFAULT_LINK)
    try:
        yield True
    finally:
        proxy.run("mv -f /tmp/default.stock %s && rm -f %s", DEFAULT, DEFAULT_LINK)


def test_check_diff_reports_no_change(lab, edited_default_site):
    run = lab.playbook("converge.yml", check=True, diff=True)
    run.assert_no_change(lab.group("proxy")[0])
    if edited_default_site:
        assert "is not Debian's untouched default site, so it stays enabled" in run.stdout, run
