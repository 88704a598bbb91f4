# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The host already served sites of the admin's own (prepare.yml): after the
role ran they are unchanged and still serve, next to the role's site."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

import pytest

from tlslab import curl

ADMIN_SITE = "http://admin.example.test:8080/"
CADDYFILE = "/etc/caddy/Caddyfile"
CADDY_SITE = "/etc/caddy/matrix-federation.caddy"
ADMIN_CADDYFILE = "/etc/matrix-federation-lab/admin-Caddyfile"
IMPORT_BLOCK = (
    "\n# BEGIN matrix.federation.reverse_proxy\n"
    "# The Matrix sites; matrix.federation.reverse_proxy keeps this block and that file.\n"
    "import %s\n"
    "# END matrix.federation.reverse_proxy\n" % CADDY_SITE
)


def test_the_admin_site_still_serves(client):
    response = curl(client, ADMIN_SITE)
    assert response.status == 200, response
    assert response.body.strip() == "the admin's own site", response


def test_caddy_keeps_every_byte_of_the_admin_caddyfile(proxy, settings):
    if settings["lab_backend"] != "caddy":
        pytest.skip("Caddy only")
    original = proxy.file(ADMIN_CADDYFILE).content_string
    # The admin's file, then the role's marked import block: nothing else.
    assert proxy.file(CADDYFILE).content_string == original + IMPORT_BLOCK
    # The file as it was before is kept next to it.
    backups = proxy.check_output("ls /etc/caddy").split()
    assert any(
        re.match(r"^Caddyfile\..+~$", name) and proxy.file("/etc/caddy/" + name).content_string == original for name in backups
    ), backups
    site = proxy.file(CADDY_SITE)
    assert site.exists and "matrix.federation.reverse_proxy" in site.content_string
    # The admin's snippet still applies to the admin's site.
    assert curl(proxy, ADMIN_SITE).headers.get("x-served-by") == "the admin's Caddyfile"


def test_nginx_leaves_the_admin_site_alone(proxy, settings):
    if settings["lab_backend"] != "nginx":
        pytest.skip("nginx only")
    name = "admin.example.test"
    assert proxy.file("/etc/nginx/sites-available/" + name).content_string == proxy.file(
        "/etc/matrix-federation-lab/nginx-" + name
    ).content_string
    link = proxy.file("/etc/nginx/sites-enabled/" + name)
    assert link.is_symlink and link.linked_to == "/etc/nginx/sites-available/" + name
    # Debian's untouched default site is the only one the role disabled.
    enabled = set(proxy.check_output("ls /etc/nginx/sites-enabled").split())
    assert enabled == {name, "matrix-federation.conf"}, enabled
