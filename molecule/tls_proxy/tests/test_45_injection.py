# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A name or upstream that would add configuration of its own is refused by the
role's first check, with the variable and the value named, before anything on
the host changes (tests/unit/playbooks/test_role_preflight.py covers every
variable; this is the real run on the converged host)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from tlslab import MATRIX_HOST, curl

FILES = {
    "nginx": ["/etc/nginx/sites-available/matrix-federation.conf"],
    "caddy": ["/etc/caddy/Caddyfile", "/etc/caddy/matrix-federation.caddy"],
}
INJECTIONS = {
    "nginx": {
        "reverse_proxy_matrix_host": MATRIX_HOST + ';\n    location /pwned { return 200 "pwned"; }\n    #',
        "reverse_proxy_upstream": "http://127.0.0.1:8008;\n    return 200 pwned",
    },
    "caddy": {
        "reverse_proxy_matrix_host": MATRIX_HOST + ' {\n\trespond /pwned "pwned"\n}\nhttps://' + MATRIX_HOST,
        "reverse_proxy_upstream": "http://127.0.0.1:8008\n\trespond /pwned pwned",
    },
}


@pytest.mark.parametrize("variable", ["reverse_proxy_matrix_host", "reverse_proxy_upstream"])
def test_injection_is_refused_before_anything_changes(lab, proxy, client, settings, variable):
    backend = settings["lab_backend"]
    before = dict((path, proxy.file(path).sha256sum) for path in FILES[backend])
    value = INJECTIONS[backend][variable]
    run = lab.playbook("converge.yml", extra_vars={variable: value})
    host = lab.group("proxy")[0]
    assert run.rc != 0, run
    assert run.recap[host]["failed"] == 1 and run.recap[host]["changed"] == 0, run
    output = run.stdout + run.stderr
    assert "Check the names, the upstream and the paths" in output, run
    for words in ("Nothing was changed.", variable, "is refused"):
        assert words in output, run
    assert dict((path, proxy.file(path).sha256sum) for path in FILES[backend]) == before
    response = curl(client, "https://%s/pwned" % MATRIX_HOST)
    assert response.status == 404, response
