# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures of the module tests."""

import json
import os
import sys

import pytest

_FAKE = '''#!%s
import json, os, sys
with open(%r, 'a') as log:
    log.write(json.dumps({'argv': sys.argv[1:], 'lc_all': os.environ.get('LC_ALL')}) + '\\n')
sys.stdout.write(%r)
sys.stderr.write(%r)
sys.exit(%d)
'''


class FakeBin:
    """Programs on a directory put first on PATH, each printing a fixed answer and logging its calls."""

    def __init__(self, directory):
        self.directory = directory
        directory.mkdir()

    def add(self, name, stdout='', rc=0, stderr=''):
        path = self.directory / name
        path.write_text(_FAKE % (sys.executable, str(self.directory / (name + '.calls')), stdout, stderr, rc))
        os.chmod(str(path), 0o755)
        return str(path)

    def calls(self, name):
        log = self.directory / (name + '.calls')
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


@pytest.fixture
def fake_bin(tmp_path, monkeypatch):
    """Fake programs for a module run by run_module: ``fake_bin.add('ss', stdout=...)``."""
    fakes = FakeBin(tmp_path / 'fake-bin')
    monkeypatch.setenv('PATH', str(fakes.directory) + os.pathsep + os.environ.get('PATH', ''))
    return fakes
