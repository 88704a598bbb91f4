# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Signing key formats: the Synapse key file, Dendrite's PEM key, and the keys in them.

Owns :class:`SigningKey`, parsing and serializing both file formats, key
generation, key versions and seeds. Pure functions on bytes and text: reading
and writing the files is :mod:`keyplan`'s job.

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
"""

import base64
import binascii
import random
import re
import string

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.signing import (
    ED25519_KEY_BYTES,
    decode_base64,
    encode_base64,
    generate_seed,
    public_key_from_seed,
)

ALGORITHM = 'ed25519'
# Key identifiers in the spec are "algorithm:identifier" with identifier from [a-zA-Z0-9_].
VERSION_RE = re.compile(r'^[A-Za-z0-9_]+$')
# Standard base64 alphabet (what Synapse writes), padding tolerated.
SEED_RE = re.compile(r'^[A-Za-z0-9+/]+={0,2}$')
SEED_CHARS = 43  # unpadded base64 length of 32 bytes

FORMATS = ('synapse', 'dendrite')
PEM_TYPE = 'MATRIX PRIVATE KEY'
PEM_BEGIN = '-----BEGIN %s-----' % PEM_TYPE
PEM_END = '-----END %s-----' % PEM_TYPE
_PEM_ANY_BEGIN_RE = re.compile(r'^-----BEGIN ([A-Z0-9 ]+)-----$')
_PEM_HEADER_RE = re.compile(r'^([A-Za-z0-9-]+): ?(.*)$')
_PEM_BODY_RE = re.compile(r'^[A-Za-z0-9+/]+={0,2}$')


class SigningKey:
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
