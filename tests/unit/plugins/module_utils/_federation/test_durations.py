# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""durations.py: max_age durations and the key file's age."""

import os
import time

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation import durations
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError

# Server-Server API appendix test vector.
SPEC_SEED = 'YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1'
SPEC_LINE = 'ed25519 1 %s\n' % SPEC_SEED


def _write(path, text):
    with open(str(path), 'w') as handle:
        handle.write(text)


@pytest.mark.parametrize('value, seconds', [(30, 30), ('30', 30), ('2m', 120), ('3h', 10800), ('365d', 31536000), ('1w', 604800)])
def test_parse_duration(value, seconds):
    assert durations.parse_duration(value) == seconds


@pytest.mark.parametrize('value', ['', 'soon', '1y', '-1d', '0', 0])
def test_parse_duration_refuses(value):
    with pytest.raises(FederationError) as err:
        durations.parse_duration(value)
    assert err.value.code == 'BAD_DURATION'


def test_key_age_from_mtime(tmp_path):
    path = tmp_path / 'k.key'
    assert durations.key_age_seconds(str(path)) is None
    _write(path, SPEC_LINE)
    os.utime(str(path), (time.time() - 7200, time.time() - 7200))
    assert 7199 <= durations.key_age_seconds(str(path)) <= 7260
