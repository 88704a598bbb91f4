# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Domain exceptions and coded findings shared by every module and lookup.

Modules catch :class:`FederationError` once in ``main()`` and turn it into
``fail_json(msg=..., code=...)``; lookups re-raise it as ``AnsibleLookupError``.
"""


class FederationError(Exception):
    """An error with a stable machine ``code`` and a human ``message``."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message

    def as_dict(self):
        """Return the error as the ``{code, message}`` dict reports use."""
        return {'code': self.code, 'message': self.message}


def finding(code, message):
    """Build one ``{code, message}`` entry for ``errors`` / ``federation_warnings``."""
    return {'code': code, 'message': message}
