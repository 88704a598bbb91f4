# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Signing key files: parse, serialize, generate, rotate, restore, export.

Two formats are supported (``key_format``):

``synapse`` (the default): one key per line::

    ed25519 <version> <unpadded base64 of the 32-byte seed>

Every line is an active signing key (Synapse signs with the first one and
publishes all of them).

``dendrite``: one PEM block, as Dendrite's ``generate-keys`` writes it and
``setup/config`` ``readKeyPEM`` reads it (v0.13.8)::

    -----BEGIN MATRIX PRIVATE KEY-----
    Key-ID: ed25519:<version>

    <padded base64 of the 32-byte seed>
    -----END MATRIX PRIVATE KEY-----

Dendrite reads the first ``MATRIX PRIVATE KEY`` block only, so the file holds
exactly one key.

Parsing is strict because the homeservers refuse files that do not follow
these shapes, and a key file that silently changes throws the server's
federation identity away. Error messages name the line and what is wrong with
it, never the seed.

Key age is measured from the key file's modification time. This module only
rewrites the file when its keys change (owner/group/mode changes do not touch
the mtime), so the mtime is the time the current key was written. Tools that
copy the file without preserving timestamps reset that age; a restore through
:func:`plan` does too, by design: the restored key counts as new for
``max_age``. No sidecar record is kept, so nothing besides the key file can get
out of step with it.

The plan/apply split keeps check mode honest: :func:`plan` decides everything
from the current file and the options without writing; :func:`apply` writes
exactly what the plan says. Plans and results never carry seeds outside of
``KeyPlan.new_keys`` (needed to write the file), and :func:`public_result`
builds the only data a module may return.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import os
import re
import random
import stat
import string
import time

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.fileutil import (
    backup_file,
    check_writable,
    commit,
    commit_new,
    discard,
    lock_directories,
    read_regular_file,
    stage,
)
from ansible_collections.matrix.federation.plugins.module_utils._federation.signing import (
    ED25519_KEY_BYTES,
    decode_base64,
    encode_base64,
    generate_seed,
    public_key_from_seed,
)

try:
    import yaml
    HAS_YAML = True
    YAML_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised only without the library
    HAS_YAML = False
    YAML_IMPORT_ERROR = exc

ALGORITHM = 'ed25519'
# Key identifiers in the spec are "algorithm:identifier" with identifier from [a-zA-Z0-9_].
VERSION_RE = re.compile(r'^[A-Za-z0-9_]+$')
# Standard base64 alphabet (what Synapse writes), padding tolerated.
SEED_RE = re.compile(r'^[A-Za-z0-9+/]+={0,2}$')
SEED_CHARS = 43  # unpadded base64 length of 32 bytes
OLD_KEYS_HEADER = (
    '# old_signing_keys for homeserver.yaml, managed by matrix.federation.matrix_signing_keys.\n'
    '# Public keys only. Entries are added on rotation and never removed by the module.\n'
)

FORMATS = ('synapse', 'dendrite')
PEM_TYPE = 'MATRIX PRIVATE KEY'
PEM_BEGIN = '-----BEGIN %s-----' % PEM_TYPE
PEM_END = '-----END %s-----' % PEM_TYPE
_PEM_ANY_BEGIN_RE = re.compile(r'^-----BEGIN ([A-Z0-9 ]+)-----$')
_PEM_HEADER_RE = re.compile(r'^([A-Za-z0-9-]+): ?(.*)$')
_PEM_BODY_RE = re.compile(r'^[A-Za-z0-9+/]+={0,2}$')

_DURATION_RE = re.compile(r'^\s*(\d+)\s*([smhdw]?)\s*$')
_DURATION_UNITS = {'': 1, 's': 1, 'm': 60, 'h': 3600, 'd': 86400, 'w': 604800}


class SigningKey(object):
    """One line of a key file. ``seed`` is secret: never log or return it."""

    __slots__ = ('algorithm', 'version', 'seed')

    def __init__(self, algorithm, version, seed):
        self.algorithm = algorithm
        self.version = version
        self.seed = seed

    @property
    def key_id(self):
        return '%s:%s' % (self.algorithm, self.version)

    @property
    def public_key(self):
        return public_key_from_seed(self.seed)

    def __eq__(self, other):
        return (isinstance(other, SigningKey) and self.algorithm == other.algorithm
                and self.version == other.version and self.seed == other.seed)

    def __ne__(self, other):
        return not self == other

    def __repr__(self):
        # Deliberately without the seed, so a stray repr in a log leaks nothing.
        return 'SigningKey(%s, public=%s)' % (self.key_id, self.public_key)


def validate_version(version):
    """Raise ``KEY_BAD_VERSION`` unless ``version`` is a valid key identifier."""
    if not isinstance(version, str) or not VERSION_RE.match(version):
        raise FederationError(
            'KEY_BAD_VERSION',
            'key version %r is invalid: use letters, digits and "_" only (for example a_AbCd)' % (version,))
    return version


def _parse_seed(text, where):
    """Decode one seed field; messages say what is wrong, never what the seed is."""
    body = text.rstrip('=')
    if not SEED_RE.match(text):
        raise FederationError(
            'KEYFILE_BAD_SEED',
            '%s: the seed is not standard base64 (allowed: A-Z a-z 0-9 + /, optional = padding)' % where)
    if len(body) != SEED_CHARS:
        raise FederationError(
            'KEYFILE_SEED_LENGTH',
            '%s: the seed has %d base64 characters, an ed25519 seed has %d (32 bytes); '
            'the file is truncated or this is not a signing key' % (where, len(body), SEED_CHARS))
    try:
        seed = decode_base64(body)
    except FederationError:
        raise FederationError('KEYFILE_BAD_SEED', '%s: the seed is not valid base64' % where)
    if len(seed) != ED25519_KEY_BYTES:  # pragma: no cover - 43 characters always decode to 32 bytes
        raise FederationError('KEYFILE_SEED_LENGTH', '%s: the seed is %d bytes, expected 32' % (where, len(seed)))
    return seed


def check_format(key_format):
    """Raise ``BAD_KEY_FORMAT`` unless ``key_format`` is one of :data:`FORMATS`."""
    if key_format not in FORMATS:
        raise FederationError('BAD_KEY_FORMAT', 'key file format must be one of %s, not %r'
                              % (', '.join(FORMATS), key_format))
    return key_format


def _key_file_text(data, source, what):
    # The message gives the line of the first non-ASCII character, never the character or its line.
    if isinstance(data, bytes):
        try:
            return data.decode('ascii')
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b'\n') + 1
    else:
        bad = [index for index, char in enumerate(data) if ord(char) > 127]
        if not bad:
            return data
        line = data[:bad[0]].count('\n') + 1
    raise FederationError(
        'KEYFILE_NOT_TEXT', '%s line %d has non-ASCII characters: not a %s signing key' % (source, line, what))


def parse_key_file(data, source='key file', key_format='synapse'):
    """Parse key file contents (bytes or text) into a list of :class:`SigningKey`.

    ``key_format`` is ``synapse`` or ``dendrite`` (see
    :func:`parse_dendrite_key_file` for the latter).

    An empty or whitespace-only file means "no key" and returns ``[]``.
    Everything else must be well formed, as Synapse requires:

    * ``KEYFILE_NOT_TEXT``: not ASCII text;
    * ``KEYFILE_BLANK_LINE``: an empty line between or after keys (Synapse fails on it);
    * ``KEYFILE_TRUNCATED_LINE``: fewer than three fields;
    * ``KEYFILE_MALFORMED_LINE``: more than three fields;
    * ``KEYFILE_UNSUPPORTED_ALGORITHM``: the algorithm is not ``ed25519``;
    * ``KEYFILE_BAD_VERSION``: the version has characters outside ``[A-Za-z0-9_]``;
    * ``KEYFILE_BAD_SEED`` / ``KEYFILE_SEED_LENGTH``: the seed is not base64 / not 32 bytes;
    * ``KEYFILE_DUPLICATE_VERSION``: two lines with the same key id;
    * ``KEYFILE_WRONG_FORMAT``: the file is a Dendrite PEM key.

    Messages name ``source``, the line and the field and say what is wrong,
    but never quote the line: in a garbled line any field may be the seed.
    """
    if check_format(key_format) == 'dendrite':
        return parse_dendrite_key_file(data, source)
    if data is None:
        return []
    text = _key_file_text(data, source, 'Synapse')
    if not text.strip():
        return []
    if text.lstrip().startswith('-----BEGIN'):
        raise FederationError(
            'KEYFILE_WRONG_FORMAT',
            '%s is a PEM file (Dendrite\'s key format), not a Synapse signing key: use format=dendrite for it'
            % source)
    lines = text.split('\n')
    if lines[-1] == '':
        lines.pop()  # the newline that ends the last line
    keys = []
    seen = {}
    for number, line in enumerate(lines, 1):
        where = '%s line %d' % (source, number)
        fields = line.split()
        if not fields:
            raise FederationError(
                'KEYFILE_BLANK_LINE', '%s is empty; Synapse refuses blank lines in a signing key file' % where)
        if len(fields) < 3:
            raise FederationError(
                'KEYFILE_TRUNCATED_LINE',
                '%s has %d field(s), expected 3 ("ed25519 <version> <seed>"); the file looks truncated'
                % (where, len(fields)))
        if len(fields) > 3:
            raise FederationError(
                'KEYFILE_MALFORMED_LINE',
                '%s has %d fields, expected 3 ("ed25519 <version> <seed>")' % (where, len(fields)))
        algorithm, version, seed_text = fields
        if algorithm != ALGORITHM:
            raise FederationError(
                'KEYFILE_UNSUPPORTED_ALGORITHM',
                '%s: the first field (the algorithm) is not "ed25519", the only algorithm of Synapse signing keys'
                % where)
        if not VERSION_RE.match(version):
            raise FederationError(
                'KEYFILE_BAD_VERSION',
                '%s: the second field (the key version) has characters outside [A-Za-z0-9_]' % where)
        seed = _parse_seed(seed_text, where)
        key = SigningKey(algorithm, version, seed)
        if key.key_id in seen:
            # Named by line, not by id: the id comes from the line too.
            raise FederationError(
                'KEYFILE_DUPLICATE_VERSION', '%s has the same key id as line %d' % (where, seen[key.key_id]))
        seen[key.key_id] = number
        keys.append(key)
    return keys


# PEM labels other tools write, named in errors so that "this is an OpenSSL/SSH key" is obvious. Only
# these constants are ever echoed, never a label read from the file.
_KNOWN_PEM_TYPES = ('PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY',
                    'OPENSSH PRIVATE KEY', 'PUBLIC KEY', 'CERTIFICATE')


def parse_dendrite_key_file(data, source='key file'):
    """Parse a Dendrite PEM key file into a list of at most one :class:`SigningKey`.

    An empty or whitespace-only file means "no key" and returns ``[]``. Else
    the file must be exactly one ``MATRIX PRIVATE KEY`` block with a single
    ``Key-ID: ed25519:<version>`` header and a 32-byte seed, optionally
    surrounded by blank lines; anything else is refused, because Dendrite
    would ignore it or fail on it:

    * ``KEYFILE_NOT_TEXT``: not ASCII text;
    * ``KEYFILE_WRONG_FORMAT``: a Synapse key file (``ed25519 <version> <seed>`` lines);
    * ``KEYFILE_PEM_MALFORMED``: no block, another block type, missing END line, text around the block,
      a second block, or a body that is not base64;
    * ``KEYFILE_PEM_HEADERS``: no ``Key-ID`` header, another header, or no blank line after the headers;
    * ``KEYFILE_UNSUPPORTED_ALGORITHM`` / ``KEYFILE_BAD_VERSION``: the key id is not ``ed25519:[A-Za-z0-9_]+``;
    * ``KEYFILE_SEED_LENGTH``: the seed is not 32 bytes (Dendrite needs 32 and would fail on fewer).

    As in :func:`parse_key_file`, messages give line numbers (counted in the
    whole file) and never quote the file.
    """
    if data is None:
        return []
    text = _key_file_text(data, source, 'Dendrite')
    if not text.strip():
        return []
    all_lines = [line.rstrip('\r') for line in text.split('\n')]
    # Blank lines around the block are allowed; offset keeps line numbers those of the file.
    offset = 0
    while not all_lines[offset].strip():
        offset += 1
    stop = len(all_lines)
    while not all_lines[stop - 1].strip():
        stop -= 1
    lines = all_lines[offset:stop]

    def where(index):
        return '%s line %d' % (source, offset + index + 1)

    first = lines[0].strip()
    if not first.startswith('-----BEGIN'):
        if first.split()[:1] == [ALGORITHM]:
            raise FederationError(
                'KEYFILE_WRONG_FORMAT',
                '%s holds Synapse-style key lines ("ed25519 <version> <seed>"), not a Dendrite PEM key: '
                'use format=synapse for it' % source)
        raise FederationError('KEYFILE_PEM_MALFORMED', '%s is not "%s"' % (where(0), PEM_BEGIN))
    match = _PEM_ANY_BEGIN_RE.match(first)
    if not match or match.group(1) != PEM_TYPE:
        found = match.group(1) if match and match.group(1) in _KNOWN_PEM_TYPES else None
        raise FederationError(
            'KEYFILE_PEM_MALFORMED',
            '%s starts %s; a Dendrite signing key is a "%s" block (generate-keys --private-key)'
            % (where(0), ('a "%s" block' % found) if found else 'another kind of PEM block', PEM_TYPE))
    try:
        end = [line.strip() for line in lines].index(PEM_END)
    except ValueError:
        raise FederationError('KEYFILE_PEM_MALFORMED', '%s has no "%s" line; the file looks truncated' % (source, PEM_END))
    if end != len(lines) - 1:
        raise FederationError(
            'KEYFILE_PEM_MALFORMED',
            '%s: text after the key block; Dendrite reads only the first key, keep one key per file'
            % where(end + 1))
    key_id = None
    key_id_index = None
    index = 1
    for index in range(1, end):
        line = lines[index].strip()
        if not line:
            break
        header = _PEM_HEADER_RE.match(line)
        if not header:
            if key_id is None:
                raise FederationError(
                    'KEYFILE_PEM_HEADERS',
                    '%s has no "Key-ID: ed25519:<version>" header; Dendrite refuses a key without one' % source)
            raise FederationError(
                'KEYFILE_PEM_HEADERS', '%s: headers must be followed by a blank line before the key' % where(index))
        if header.group(1) != 'Key-ID' or key_id is not None:
            raise FederationError(
                'KEYFILE_PEM_HEADERS', '%s: unexpected header; the only header is one "Key-ID"' % where(index))
        key_id = header.group(2).strip()
        key_id_index = index
    else:
        index = end
    if key_id is None:
        raise FederationError(
            'KEYFILE_PEM_HEADERS',
            '%s has no "Key-ID: ed25519:<version>" header; Dendrite refuses a key without one' % source)
    algorithm, dummy, version = key_id.partition(':')
    if algorithm != ALGORITHM:
        raise FederationError(
            'KEYFILE_UNSUPPORTED_ALGORITHM', '%s: the Key-ID header does not start with "ed25519:"' % where(key_id_index))
    if not VERSION_RE.match(version):
        raise FederationError(
            'KEYFILE_BAD_VERSION',
            '%s: the key version in the Key-ID header has characters outside [A-Za-z0-9_] (Dendrite refuses it)'
            % where(key_id_index))
    body_lines = [line.strip() for line in lines[index + 1:end]] if index < end else []
    body_at = index + 1
    body = ''.join(body_lines)
    if not body:
        raise FederationError('KEYFILE_SEED_LENGTH', '%s: the key block is empty; the file looks truncated' % where(end))
    for number, line in enumerate(body_lines):
        if not line or not _PEM_BODY_RE.match(line):
            raise FederationError(
                'KEYFILE_PEM_MALFORMED',
                '%s: the key block is not base64 (allowed: A-Z a-z 0-9 + /, = padding, no blank lines)'
                % where(body_at + number))
    try:
        seed = base64.b64decode(body.encode('ascii'), validate=True)
    except (binascii.Error, ValueError):
        raise FederationError('KEYFILE_PEM_MALFORMED', '%s: the key block is not valid padded base64' % where(body_at))
    if len(seed) != ED25519_KEY_BYTES:
        raise FederationError(
            'KEYFILE_SEED_LENGTH',
            '%s: the key block holds %d bytes, an ed25519 seed has 32; the file is truncated or this is not a '
            'signing key' % (where(body_at), len(seed)))
    return [SigningKey(ALGORITHM, version, seed)]


def serialize_keys(keys, key_format='synapse'):
    """Key file text for ``keys`` in the format the homeserver writes.

    ``synapse``: one line each, unpadded base64. ``dendrite``: one PEM block
    as Go's ``encoding/pem`` writes it (what ``generate-keys`` produces);
    Dendrite reads only one key, so more than one is refused.
    """
    if check_format(key_format) == 'dendrite':
        if len(keys) != 1:
            raise FederationError(
                'KEYFILE_DENDRITE_ONE_KEY',
                'a Dendrite key file holds exactly one key (Dendrite reads only the first), not %d' % len(keys))
        key = keys[0]
        return '%s\nKey-ID: %s\n\n%s\n%s\n' % (
            PEM_BEGIN, key.key_id, base64.b64encode(key.seed).decode('ascii'), PEM_END)
    return ''.join('%s %s %s\n' % (key.algorithm, key.version, encode_base64(key.seed)) for key in keys)


def generate_version(taken=()):
    """``a_`` + 4 random ASCII letters, as Synapse does, avoiding ids in ``taken``."""
    rng = random.SystemRandom()
    while True:
        version = 'a_' + ''.join(rng.choice(string.ascii_letters) for dummy in range(4))
        if version not in taken and '%s:%s' % (ALGORITHM, version) not in taken:
            return version


def generate_key(version=None, taken=()):
    """A fresh :class:`SigningKey` (random seed; version given or generated)."""
    if version is None:
        version = generate_version(taken)
    return SigningKey(ALGORITHM, validate_version(version), generate_seed())


def key_from_seed(private_key, version):
    """A :class:`SigningKey` from an unpadded base64 seed (the ``private_key`` option)."""
    validate_version(version)
    seed = _parse_seed(private_key.strip(), 'private_key')
    return SigningKey(ALGORITHM, version, seed)


def old_key_entry(key, expired_ts):
    """The ``old_signing_keys`` entry Synapse expects for a retired key (public key only)."""
    return {key.key_id: {'key': key.public_key, 'expired_ts': int(expired_ts)}}


def rotate(current_keys, new_keys, expired_ts=None, retired_before=None):
    """Retire ``current_keys`` in favour of ``new_keys`` (one :class:`SigningKey` or a list).

    Returns ``(new_keys, old_signing_keys)`` where ``old_signing_keys`` maps
    each retired key id to ``{key: <public>, expired_ts: <ms>}``. ``expired_ts``
    defaults to now (ms): signatures made before it stay valid for other
    servers. A current key that is also among ``new_keys`` (same id, same
    seed) stays active. A new key may not reuse the id of a different current
    key or of an entry in ``retired_before`` (``KEY_ID_REUSED``): other servers
    cache keys by id. A retired key itself may come back (a restore).
    """
    if isinstance(new_keys, SigningKey):
        new_keys = [new_keys]
    if expired_ts is None:
        expired_ts = now_ms()
    new_ids = dict((key.key_id, key) for key in new_keys)
    for key in current_keys:
        if key.key_id in new_ids and new_ids[key.key_id] != key:
            raise FederationError(
                'KEY_ID_REUSED', 'the new key would reuse key id %s with a different seed; choose another version'
                % key.key_id)
    for key_id, key in new_ids.items():
        retired = (retired_before or {}).get(key_id)
        # The same key coming back (a restore of a backup) is fine; another key under its id is not.
        if retired is not None and retired.get('key') != key.public_key:
            raise FederationError(
                'KEY_ID_REUSED', 'key id %s is already a retired key; choose another version' % key_id)
    old = {}
    for key in current_keys:
        if key.key_id not in new_ids:
            old.update(old_key_entry(key, expired_ts))
    return list(new_keys), old


def now_ms():
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


def verify_keys_map(keys):
    """``{key_id: public}`` for the module's ``verify_keys`` return value."""
    return dict((key.key_id, key.public_key) for key in keys)


def server_keys_export(keys, old_verify_keys=None, server_name=None):
    """The unsigned body of ``GET /_matrix/key/v2/server`` for these keys.

    ``verify_keys`` is ``{"ed25519:<ver>": {"key": <public>}}`` and
    ``old_verify_keys`` ``{id: {key, expired_ts}}``; the serving homeserver
    adds ``valid_until_ts`` and its signature.
    """
    export = {
        'verify_keys': dict((key.key_id, {'key': key.public_key}) for key in keys),
        'old_verify_keys': dict((key_id, dict(entry)) for key_id, entry in (old_verify_keys or {}).items()),
    }
    if server_name:
        export['server_name'] = server_name
    return export


def describe_keys(keys):
    """Diff text for ``keys``: key ids and public keys only."""
    return ''.join('%s %s\n' % (key.key_id, key.public_key) for key in keys)


# ---------------------------------------------------------------- old_signing_keys fragment

def _require_yaml():
    if not HAS_YAML:
        raise FederationError('MISSING_LIBRARY', 'the Python library "PyYAML" is required for old_keys_path: %s'
                              % YAML_IMPORT_ERROR)


# Key ids of the record are public, but a hand-edited or mistaken file may hold anything: an id is
# only quoted in an error when it has the shape of a key id (Synapse refuses any other id anyway).
_KEY_ID_RE = re.compile(r'^ed25519:[A-Za-z0-9_]+$')


def _entry_name(key_id, number):
    if isinstance(key_id, str) and _KEY_ID_RE.match(key_id):
        return 'entry %s' % key_id
    return 'entry %d (its key id is not "ed25519:<version>")' % number


def _yaml_error_text(exc):
    # PyYAML's str() quotes the offending line; only the position and the problem are kept.
    mark = getattr(exc, 'problem_mark', None)
    position = ' at line %d, column %d' % (mark.line + 1, mark.column + 1) if mark is not None else ''
    problem = getattr(exc, 'problem', None)
    return '%s%s' % (position, (': %s' % problem) if isinstance(problem, str) else '')


def read_old_keys(path):
    """Entries of the ``old_signing_keys`` fragment at ``path`` (``{}`` when missing or empty).

    Errors (``OLD_KEYS_MALFORMED``) give positions, never the file's text.
    ``path`` must be a regular file, not a symbolic link (``OLD_KEYS_SYMLINK``).
    """
    data = _read_own_file(path, 'old_keys_path', 'a YAML file of retired keys', _OLD_KEYS_CODES)
    if data is None or not data.strip():
        return {}
    _require_yaml()
    try:
        loaded = yaml.safe_load(data)
    except yaml.YAMLError as exc:
        raise FederationError('OLD_KEYS_MALFORMED', '%s is not valid YAML%s' % (path, _yaml_error_text(exc)))
    if loaded is None:
        return {}
    if not isinstance(loaded, dict) or set(loaded) - {'old_signing_keys'}:
        raise FederationError('OLD_KEYS_MALFORMED', '%s must hold only a mapping "old_signing_keys"' % path)
    entries = loaded.get('old_signing_keys') or {}
    if not isinstance(entries, dict):
        raise FederationError('OLD_KEYS_MALFORMED', '%s: old_signing_keys must be a mapping of key ids' % path)
    for number, (key_id, entry) in enumerate(entries.items(), 1):
        if not isinstance(key_id, str) or not _KEY_ID_RE.match(key_id):
            raise FederationError(
                'OLD_KEYS_MALFORMED',
                '%s: %s; Synapse accepts only ed25519 keys in old_signing_keys' % (path, _entry_name(key_id, number)))
        if (not isinstance(key_id, str) or not isinstance(entry, dict) or not isinstance(entry.get('key'), str)
                or not isinstance(entry.get('expired_ts'), int) or isinstance(entry.get('expired_ts'), bool)):
            raise FederationError(
                'OLD_KEYS_MALFORMED',
                '%s: %s must be {key: <public base64>, expired_ts: <ms>}' % (path, _entry_name(key_id, number)))
        if len(entry['key'].rstrip('=')) > SEED_CHARS:
            raise FederationError('OLD_KEYS_MALFORMED', '%s: %s has a key that is not an ed25519 public key'
                                  % (path, _entry_name(key_id, number)))
    return entries


def merge_old_keys(existing, new_entries, path='old_keys_path'):
    """Merge ``new_entries`` into ``existing`` without dropping or altering earlier entries.

    Re-adding an identical public key keeps the earlier ``expired_ts``; the
    same key id with a different public key is a conflict
    (``OLD_KEYS_CONFLICT``), never an overwrite.
    """
    merged = dict((key_id, dict(entry)) for key_id, entry in existing.items())
    for key_id, entry in new_entries.items():
        if key_id in merged:
            if merged[key_id]['key'] != entry['key']:
                raise FederationError(
                    'OLD_KEYS_CONFLICT',
                    '%s already lists %s with public key %s, not %s; refusing to overwrite a retired key'
                    % (path, key_id, merged[key_id]['key'], entry['key']))
            continue
        merged[key_id] = dict(entry)
    return merged


def serialize_old_keys(entries):
    """YAML text of the fragment (deterministic; ids and public keys are plain ASCII)."""
    lines = [OLD_KEYS_HEADER, 'old_signing_keys:']
    if not entries:
        lines[-1] += ' {}'
    for key_id in sorted(entries):
        entry = entries[key_id]
        lines.append('  "%s":' % key_id)
        lines.append('    key: "%s"' % entry['key'])
        lines.append('    expired_ts: %d' % entry['expired_ts'])
    return '\n'.join(lines) + '\n'


# ---------------------------------------------------------------- plan / apply

class KeyPlan(object):
    """What a run will do. ``new_keys`` holds seeds: never return it."""

    def __init__(self):
        self.current_keys = []
        self.new_keys = []
        self.key_changed = False
        self.action = 'none'  # none | create | restore | rotate
        self.generated = False
        self.key_age = None
        self.old_signing_keys = {}
        self.old_keys_before = {}
        self.old_keys_after = {}
        self.old_keys_changed = False
        self.warnings = []
        self.explicit_version = False
        # Whether plan() found a key file (maybe empty): a missing one is created only if still missing.
        self.file_existed = False


# fileutil.read_regular_file's generic codes, as each of the module's two files reports them.
_KEYFILE_CODES = {'FILE_SYMLINK': 'KEYFILE_SYMLINK', 'FILE_IS_DIRECTORY': 'KEYFILE_IS_DIRECTORY',
                  'FILE_NOT_REGULAR': 'KEYFILE_NOT_REGULAR'}
_OLD_KEYS_CODES = {'FILE_SYMLINK': 'OLD_KEYS_SYMLINK', 'FILE_IS_DIRECTORY': 'OLD_KEYS_IS_DIRECTORY',
                   'FILE_NOT_REGULAR': 'OLD_KEYS_NOT_REGULAR'}


def _read_own_file(path, option, what, codes):
    """Bytes of ``path`` (``None`` when missing), refusing links and anything but a regular file.

    A link is refused rather than followed: the module replaces files by
    rename, which would put a regular file in place of the link (or, if it
    wrote through it, change a file somewhere else than ``option`` says).
    """
    try:
        return read_regular_file(path)
    except FederationError as exc:
        if exc.code == 'FILE_SYMLINK':
            raise FederationError(
                codes[exc.code],
                '%s %s is a symbolic link (to %s); the module does not work through links: point %s at the '
                'real file' % (option, path, os.path.realpath(path), option))
        if exc.code == 'FILE_IS_DIRECTORY':
            raise FederationError(codes[exc.code], '%s is a directory, not %s' % (path, what))
        if exc.code == 'FILE_NOT_REGULAR':
            raise FederationError(
                codes[exc.code], '%s is not a regular file (a FIFO, socket or device), not %s' % (path, what))
        raise


def load_key_file(path, key_format='synapse'):
    """Keys currently in ``path`` (``[]`` when missing or empty); strict, see :func:`parse_key_file`.

    ``path`` must be a regular file, not a symbolic link (``KEYFILE_SYMLINK``),
    a directory (``KEYFILE_IS_DIRECTORY``) or another special file
    (``KEYFILE_NOT_REGULAR``).
    """
    data = _read_own_file(path, 'path', 'a signing key file', _KEYFILE_CODES)
    return parse_key_file(data, source=path, key_format=key_format)


def locked(path, old_keys_path=None, timeout=60.0):
    """Context manager serializing runs on the key file ``path`` (and ``old_keys_path``).

    Holds an exclusive ``flock`` on the directories of both files (see
    :func:`fileutil.lock_directories`) so that a run plans and writes from
    what the previous run left: concurrent rotations each retire the key
    the one before made, and none is lost. No lock file is created. Its
    ``warnings`` are ``(code, message)`` pairs for the module to report.
    """
    return lock_directories([path, old_keys_path], timeout)


def plan(path, state='present', rotate_now=False, max_age=None, version=None, private_key=None,
         content=None, expired_ts=None, old_keys_path=None, now=None, key_format='synapse'):
    """Decide what to do with the key file at ``path``; writes nothing.

    ``key_format`` (``synapse`` or ``dendrite``) applies to the file and to
    ``content``. A Dendrite file holds one key, so ``content`` with several
    keys is refused for it.

    * ``present``: keep a valid existing key; create one when the file is
      missing or empty; with ``private_key``/``content``, make the file hold
      exactly that key (restore).
    * ``rotated``: when ``rotate_now`` or the key is older than ``max_age``
      seconds, a new key (generated, or from ``private_key``/``content``)
      replaces the current ones, which become ``old_signing_keys`` entries.
    """
    check_format(key_format)
    result = KeyPlan()
    result.explicit_version = version is not None
    result.current_keys = load_key_file(path, key_format)
    result.file_existed = os.path.lexists(path)
    result.key_age = key_age_seconds(path, now) if result.current_keys else None
    if old_keys_path:
        result.old_keys_before = read_old_keys(old_keys_path)
    result.old_keys_after = dict(result.old_keys_before)

    supplied = None
    if content is not None:
        supplied = parse_key_file(content, source='content', key_format=key_format)
        if not supplied:
            raise FederationError('KEYFILE_EMPTY_CONTENT', 'content holds no signing key')
    elif private_key is not None:
        supplied = [key_from_seed(private_key, version)]

    taken = set(result.old_keys_before) | set(key.key_id for key in result.current_keys)

    def new_keys():
        if supplied is not None:
            return supplied
        result.generated = True
        return [generate_key(version, taken)]

    if state == 'present':
        if not result.current_keys:
            result.new_keys = new_keys()
            result.action = 'restore' if supplied is not None else 'create'
        elif supplied is not None and supplied != result.current_keys:
            result.new_keys = supplied
            result.action = 'restore'
        else:
            result.new_keys = result.current_keys
    elif state == 'rotated':
        due = bool(rotate_now)
        if not due and max_age is not None and result.key_age is not None:
            due = result.key_age >= max_age
        if not result.current_keys:
            result.new_keys = new_keys()
            result.action = 'create'
            result.warnings.append(
                ('KEY_CREATED_NOT_ROTATED', 'no signing key at %s to rotate: created a new key' % path))
        elif supplied is not None and supplied == result.current_keys:
            result.new_keys = result.current_keys
        elif due:
            result.new_keys, result.old_signing_keys = rotate(
                result.current_keys, new_keys(), expired_ts, result.old_keys_before)
            result.action = 'rotate'
        else:
            result.new_keys = result.current_keys
    else:
        raise FederationError('BAD_STATE', 'state must be present or rotated, not %r' % (state,))

    result.key_changed = result.action != 'none'
    if result.key_changed:
        # Refuse now (also in check mode) what could not be written.
        serialize_keys(result.new_keys, key_format)
    if result.old_signing_keys:
        result.old_keys_after = merge_old_keys(result.old_keys_before, result.old_signing_keys,
                                               old_keys_path or 'old_keys_path')
        result.old_keys_changed = bool(old_keys_path) and result.old_keys_after != result.old_keys_before
    # A read-only mount is refused here, so check mode predicts it and nothing is half written.
    if result.key_changed:
        check_writable(path)
    if result.old_keys_changed:
        check_writable(old_keys_path)
    return result


def apply(path, key_plan, old_keys_path=None, backup=False, key_format='synapse'):
    """Write what ``key_plan`` says, in ``key_format``. Returns the backup file name or ``None``.

    Every file is first written in full to a temp file next to it (so a full
    disk fails before anything changed), then the backup is made, then the
    old keys fragment takes its name, then the key file: a retired key is
    on record before it stops being the signing key.

    A new key file is created only if there still is none (``link()``): when
    another process (a second run, or Synapse generating its key) created
    one meanwhile, that key is kept and ``key_plan`` is updated to report it
    as an existing key, ``action`` ``none``. Restores and rotations replace
    the file by ``rename()``.

    A replaced file keeps its owner, group and mode, set on the temp file
    before it takes the name, so the homeserver never finds its key with
    other attributes, not even for a moment. A new file is ``0600``, owned
    by the user running this. The caller applies requested attributes.
    """
    backup_name = None
    old_tmp = key_tmp = None
    try:
        if key_plan.old_keys_changed:
            previous_old = _stat_or_none(old_keys_path)
            old_tmp = stage(old_keys_path, serialize_old_keys(key_plan.old_keys_after).encode('ascii'),
                            _mode_of(previous_old), _owner_of(previous_old))
        previous = _stat_or_none(path)
        if key_plan.key_changed:
            key_tmp = stage(path, serialize_keys(key_plan.new_keys, key_format).encode('ascii'),
                            _mode_of(previous), _owner_of(previous))
            if backup and previous is not None:
                backup_name = backup_file(path)
        if old_tmp:
            tmp, old_tmp = old_tmp, None
            commit(tmp, old_keys_path)
        if key_tmp:
            tmp, key_tmp = key_tmp, None
            if not key_plan.file_existed and key_plan.action == 'create':
                if not commit_new(tmp, path):
                    _keep_concurrent_key(path, key_plan, key_format)
            else:
                commit(tmp, path)
    finally:
        for tmp in (old_tmp, key_tmp):
            if tmp:
                discard(tmp)
    return backup_name


def _keep_concurrent_key(path, key_plan, key_format):
    # Another process created the key file after plan() found none: that key is the server's now.
    keys = load_key_file(path, key_format)
    if not keys:
        raise FederationError(
            'KEYFILE_CREATED_CONCURRENTLY',
            '%s was created by another process while this run was creating it, and holds no key yet '
            '(it may still be writing it); run again' % path)
    key_plan.current_keys = keys
    key_plan.new_keys = keys
    key_plan.action = 'none'
    key_plan.key_changed = False
    key_plan.generated = False
    key_plan.key_age = key_age_seconds(path)
    key_plan.warnings = [warning for warning in key_plan.warnings if warning[0] != 'KEY_CREATED_NOT_ROTATED']


def _stat_or_none(path):
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def _owner_of(previous):
    return (previous.st_uid, previous.st_gid) if previous is not None else None


def _mode_of(previous):
    # Only a regular file's mode is worth keeping; anything new starts private.
    if previous is None or not stat.S_ISREG(previous.st_mode):
        return 0o600
    return stat.S_IMODE(previous.st_mode)


def public_result(key_plan, server_name=None, check_mode=False):
    """The module's return values: key ids and public keys only, never a seed."""
    keys = key_plan.new_keys
    placeholder = check_mode and key_plan.generated
    if placeholder:
        # The real run generates a different random key: don't pretend to know it.
        versions = [key.version for key in keys] if keys and key_plan.explicit_version else []
        key_id = ('%s:%s' % (ALGORITHM, versions[0])) if versions else None
        public_key = None
        verify_keys = {}
    else:
        key_id = keys[0].key_id if keys else None
        public_key = keys[0].public_key if keys else None
        verify_keys = verify_keys_map(keys)
    old_verify_keys = merge_old_keys(key_plan.old_keys_before, key_plan.old_signing_keys)
    export = server_keys_export([] if placeholder else keys, old_verify_keys, server_name)
    return {
        'key_id': key_id,
        'public_key': public_key,
        'verify_keys': verify_keys,
        'old_verify_keys': old_verify_keys,
        'old_signing_keys': dict(key_plan.old_signing_keys),
        'server_keys_json': export,
        'key_age': key_plan.key_age,
        'action': key_plan.action,
    }


def diff_text(key_plan, check_mode=False):
    """``(before, after)`` diff texts with key ids and public keys only."""
    before = describe_keys(key_plan.current_keys)
    if check_mode and key_plan.generated:
        after = ''.join('%s <new key, generated when applied>\n' % key.key_id
                        if key_plan.explicit_version else '%s:<generated> <new key, generated when applied>\n'
                        % ALGORITHM for key in key_plan.new_keys)
    else:
        after = describe_keys(key_plan.new_keys)
    return before, after
