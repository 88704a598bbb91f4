# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A forced renewal, as certbot.timer runs it, reloads the proxy: the new
certificate is served without anyone touching the proxy."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from tlslab import ACME_CA, DEPLOYED, LIVE, load_certificate, served_certificate


def test_forced_renewal_is_served(proxy, client):
    before = served_certificate(client).serial_number
    result = proxy.run(
        "REQUESTS_CA_BUNDLE=%s certbot renew --force-renewal --cert-name example.test --no-random-sleep-on-renew",
        ACME_CA,
    )
    assert result.rc == 0, result.stdout + result.stderr
    renewed = load_certificate(proxy.file(LIVE + "/cert.pem").content_string).serial_number
    assert renewed != before, "certbot did not issue a new certificate"
    # The deploy hook copied it where the proxy reads it...
    assert load_certificate(proxy.file(DEPLOYED + "/fullchain.pem").content_string).serial_number == renewed
    # ... and reloaded the proxy (a reload takes effect within seconds).
    deadline = time.time() + 60
    served = before
    while served != renewed and time.time() < deadline:
        time.sleep(2)
        served = served_certificate(client).serial_number
    assert served == renewed, "the proxy still serves serial %x after renewal to %x" % (served, renewed)
