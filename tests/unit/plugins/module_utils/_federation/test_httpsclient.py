# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The HTTPS client's own settings and limits (its traffic is tested through the loopback lab)."""

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.httpsclient import HttpsClient


def test_invalid_ca_bundle_is_a_coded_error(tmp_path):
    with pytest.raises(FederationError) as exc:
        HttpsClient(ca_path=str(tmp_path / 'missing.pem'), timeout=1)
    assert exc.value.code == 'INVALID_CA_PATH'


def test_only_https_urls_are_fetched():
    client = HttpsClient(timeout=1)
    with pytest.raises(FederationError) as exc:
        client.get_url('http://example.org/', max_bytes=10)
    assert exc.value.code == 'INVALID_URL'
