# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The well-known document files of a web root: write, update or remove them from a module.

Check mode, diff, backups and owner/group/mode as ``matrix_wellknown``
documents them; the bytes and attributes go through :mod:`modulefiles`.
"""

import os
import re

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.fileutil import read_file
from ansible_collections.matrix.federation.plugins.module_utils._federation.modulefiles import apply_attributes, write_file
from ansible_collections.matrix.federation.plugins.module_utils._federation.wellknown import DOCUMENT_NAMES, render_document

_OCTAL_MODE_RE = re.compile(r'^0?[0-7]{3,4}$')


def parse_mode(mode):
    """Return ``mode`` as an int, accepting YAML's octal ints and strings like '0644'."""
    if isinstance(mode, int) and not isinstance(mode, bool):
        if 0 <= mode <= 0o7777:
            return mode
    elif isinstance(mode, str) and _OCTAL_MODE_RE.match(mode):
        return int(mode, 8)
    raise FederationError('INVALID_MODE', 'mode must be octal permissions such as "0644", got %r' % (mode,))


def _text(data):
    return data.decode('utf-8', 'replace') if data is not None else ''


def _create_directory(module, directory, result):
    if os.path.exists(directory) and not os.path.isdir(directory):
        raise FederationError('DIRECTORY_MISSING', 'path %s exists but is not a directory: path is the '
                              '.well-known/matrix directory, the files go inside it' % directory)
    if module.params['state'] == 'present' and not os.path.isdir(directory):
        result['changed'] = True
        if not module.check_mode:
            try:
                os.makedirs(directory, 0o755)
            except OSError as exc:
                raise FederationError('DIRECTORY_CREATE_FAILED',
                                      'cannot create %s: %s' % (directory, exc.strerror or exc))


def manage_local_documents(module, documents, mode):
    """Write or remove the document files under the module's ``path``; return the result dict.

    ``documents`` maps names (``server``, ``client``, ``support``) to the
    documents to write with state ``present``; with state ``absent`` the
    files of ``documents`` (option) or all three are removed. ``mode`` is
    the parsed mode new files are written with.
    """
    params = module.params
    directory = params['path']
    if params['state'] == 'present':
        names = [name for name in DOCUMENT_NAMES if name in documents]
    else:
        names = params['documents'] or list(DOCUMENT_NAMES)
    result = {'changed': False, 'files': {}, 'backup_files': [], 'diff': []}
    _create_directory(module, directory, result)
    file_args = module.load_file_common_arguments(params)

    for name in names:
        file_path = os.path.join(directory, name)
        before = read_file(file_path) if os.path.isdir(directory) else None
        after = render_document(documents[name]) if params['state'] == 'present' else None
        entry = {'path': file_path, 'state': 'unchanged', 'backup_file': None}
        if before != after:
            result['changed'] = True
            entry['state'] = 'created' if before is None else ('removed' if after is None else 'updated')
            result['diff'].append({'before_header': file_path, 'after_header': file_path,
                                   'before': _text(before), 'after': _text(after)})
            if not module.check_mode:
                entry['backup_file'] = write_file(file_path, after, mode, backup=params['backup'] and before is not None)
                if entry['backup_file']:
                    result['backup_files'].append(entry['backup_file'])
        elif before is None:
            entry['state'] = 'absent'
        if after is not None and (before is not None or not module.check_mode):
            if apply_attributes(module, file_args, [file_path], False):
                result['changed'] = True
                if entry['state'] == 'unchanged':
                    entry['state'] = 'updated'
        result['files'][name] = entry
    return result
