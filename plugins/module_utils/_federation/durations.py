# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Durations and key age: ``max_age`` values, the key file's age, the clock in milliseconds.

Key age is measured from the key file's modification time. The module only
rewrites the file when its keys change (owner/group/mode changes do not touch
the mtime), so the mtime is the time the current key was written. Tools that
copy the file without preserving timestamps reset that age; a restore through
:func:`keyplan.plan` does too, by design: the restored key counts as new for
``max_age``. No sidecar record is kept, so nothing besides the key file can get
out of step with it.
"""

import os
import re
import time

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError

_DURATION_RE = re.compile(r'^\s*(\d+)\s*([smhdw]?)\s*$')
_DURATION_UNITS = {'': 1, 's': 1, 'm': 60, 'h': 3600, 'd': 86400, 'w': 604800}


def now_ms():
    """The current time in milliseconds since the epoch, the unit of ``expired_ts``."""
    return int(time.time() * 1000)


def parse_duration(value):
    """Seconds for ``value``: an int, or ``<n>[s|m|h|d|w]`` such as ``365d``."""
    if isinstance(value, int) and not isinstance(value, bool):
        seconds = value
    else:
        match = _DURATION_RE.match(str(value))
        if not match:
            raise FederationError(
                'BAD_DURATION', 'duration %r is invalid: use seconds or a number with s, m, h, d or w (for example 365d)'
                % (value,))
        seconds = int(match.group(1)) * _DURATION_UNITS[match.group(2)]
    if seconds <= 0:
        raise FederationError('BAD_DURATION', 'duration %r must be positive' % (value,))
    return seconds


def key_age_seconds(path, now=None):
    """Age of the key in ``path`` from its mtime, or ``None`` when the file does not exist."""
    try:
        mtime = os.stat(path).st_mtime
    except FileNotFoundError:
        return None
    now = time.time() if now is None else now
    return max(0, int(now - mtime))
