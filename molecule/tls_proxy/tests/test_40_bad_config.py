# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A configuration the proxy rejects fails the role with a clear message and
leaves the running proxy on its last good configuration."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from tlslab import SERVER_NAME, curl

LIVE_CONFIG = {
    "nginx": "/etc/nginx/sites-available/matrix-federation.conf",
    "caddy": "/etc/caddy/matrix-federation.caddy",
}
VALIDATE = {
    "nginx": "nginx -t -q",
    "caddy": "caddy validate --config /etc/caddy/Caddyfile --adapter caddyfile",
}


def test_rejected_config_leaves_the_old_one_serving(lab, proxy, client, settings):
    backend = settings["lab_backend"]
    live = proxy.file(LIVE_CONFIG[backend])
    before = live.sha256sum
    bad = "no_such_directive on" + (";" if backend == "nginx" else "")
    run = lab.playbook("converge.yml", extra_vars={"reverse_proxy_extra_config": bad})
    assert run.rc != 0, run
    assert run.recap[lab.group("proxy")[0]]["failed"] == 1, run
    for words in ("rejected", "no_such_directive", "left unchanged"):
        assert words in run.stdout + run.stderr, run
    assert proxy.file(LIVE_CONFIG[backend]).sha256sum == before
    # What a restart would load is still valid, and the proxy still serves.
    proxy.run_expect([0], VALIDATE[backend])
    assert proxy.service(backend).is_running
    response = curl(client, "https://%s/.well-known/matrix/server" % SERVER_NAME)
    assert response.status == 200, response
