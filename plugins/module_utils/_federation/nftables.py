# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Keep one nftables table loaded from its file, and notice when it drifts.

The kernel is the truth: the table is compared, as ``nft --stateless list
table`` prints it, with the listing recorded right after the last load from
the same file (by its SHA-256). Any difference (the table missing after
``nft flush ruleset``, a rule edited by hand, a new file) loads the file again
with ``nft -f``, which replaces the table in one transaction when the file
declares, deletes and re-creates it. The file is checked with ``nft -c``
first, so a bad file never replaces a loaded table.
"""

import hashlib
import json
import os
import re

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.fileutil import atomic_write, read_file

FAMILIES = ('ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev')
_NAME = re.compile(r'^[A-Za-z][A-Za-z0-9_.-]{0,63}$')
RECORD_DIR = '/var/lib/matrix-federation'


def default_record_path(family, name):
    """Where the listing of the last load is kept unless told otherwise."""
    return os.path.join(RECORD_DIR, 'nftables-%s-%s.json' % (family, name))


def check_table_name(family, name):
    if family not in FAMILIES:
        raise FederationError('NFT_BAD_FAMILY', 'family must be one of %s, got %r' % (', '.join(FAMILIES), family))
    if not _NAME.match(name or ''):
        raise FederationError('NFT_BAD_NAME', 'table name %r is not a plain nftables identifier '
                                              '(a letter, then letters, digits, _ . -)' % (name,))


class Nft:
    """Runs the nft binary through ``run(argv) -> (rc, stdout, stderr)`` (AnsibleModule.run_command)."""

    def __init__(self, run, binary='nft'):
        self._run = run
        self.binary = binary

    def listing(self, family, name):
        """The table as nft prints it without counters, or None when it is not loaded."""
        rc, out, err = self._run([self.binary, '--stateless', 'list', 'table', family, name])
        if rc == 0:
            return out
        if 'No such file or directory' in err or 'does not exist' in err:
            return None
        raise FederationError('NFT_LIST_FAILED', 'nft list table %s %s failed: %s' % (family, name, (err or out).strip()))

    def check_file(self, path):
        rc, out, err = self._run([self.binary, '--check', '--file', path])
        if rc != 0:
            raise FederationError('NFT_FILE_REJECTED', 'nft rejected %s (the loaded table was left as it is): %s'
                                  % (path, (err or out).strip()))

    def load_file(self, path):
        rc, out, err = self._run([self.binary, '--file', path])
        if rc != 0:
            raise FederationError('NFT_LOAD_FAILED', 'nft could not load %s: %s' % (path, (err or out).strip()))

    def delete_table(self, family, name):
        rc, out, err = self._run([self.binary, 'delete', 'table', family, name])
        if rc != 0:
            raise FederationError('NFT_DELETE_FAILED', 'nft could not delete table %s %s: %s'
                                  % (family, name, (err or out).strip()))


def _read_record(path):
    data = read_file(path)
    if data is None:
        return None
    try:
        record = json.loads(data.decode('utf-8'))
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def ensure_table(nft, family, name, path=None, state='present', record_path=None, check_mode=False, force=False):
    """Make the kernel hold the table of ``path`` (state present) or no such table (absent).

    ``force`` loads ``path`` again even when the kernel holds it as last
    loaded; in check mode it predicts that load, also for a ``path`` that a
    task before is about to write (so it may not exist yet).

    Returns a dict: changed, reason (why it (re)loaded, or None), before and
    after (the listings, for diff mode; after is the file's text in check
    mode when a load is pending).
    """
    check_table_name(family, name)
    record_path = record_path or default_record_path(family, name)
    live = nft.listing(family, name)
    if state == 'absent':
        result = {'changed': live is not None, 'reason': 'table is loaded' if live is not None else None,
                  'before': live or '', 'after': ''}
        if live is not None and not check_mode:
            nft.delete_table(family, name)
            if os.path.exists(record_path):
                os.unlink(record_path)
        return result

    source = read_file(path)
    if source is None and check_mode and force:
        return {'changed': True, 'reason': '%s is about to be written' % path, 'before': live or '', 'after': ''}
    if source is None:
        raise FederationError('NFT_FILE_MISSING', 'table file %s does not exist' % path)
    nft.check_file(path)
    digest = hashlib.sha256(source).hexdigest()
    record = _read_record(record_path)
    if live is None:
        reason = 'table %s %s is not loaded' % (family, name)
    elif record is None:
        reason = 'no record of loading %s' % path
    elif record.get('source_sha256') != digest:
        reason = '%s changed since it was loaded' % path
    elif record.get('listing') != live:
        reason = 'table %s %s was changed outside this module' % (family, name)
    elif force:
        reason = 'force'
    else:
        return {'changed': False, 'reason': None, 'before': live, 'after': live}

    if check_mode:
        return {'changed': True, 'reason': reason, 'before': live or '', 'after': source.decode('utf-8', 'replace')}
    nft.load_file(path)
    loaded = nft.listing(family, name)
    if loaded is None:
        raise FederationError('NFT_TABLE_NOT_IN_FILE', '%s loaded, but it does not create table %s %s'
                              % (path, family, name))
    directory = os.path.dirname(record_path)
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o755)
    atomic_write(record_path, json.dumps({'source': path, 'source_sha256': digest, 'listing': loaded},
                                         indent=2, sort_keys=True).encode('utf-8'), mode=0o644)
    return {'changed': True, 'reason': reason, 'before': live or '', 'after': loaded}
