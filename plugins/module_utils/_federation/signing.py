# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Canonical JSON, unpadded base64 and ed25519 as the Matrix spec defines them.

``cryptography`` is imported when a key is first made or a signature first
checked (``runctx.load_library``), not with this file: callers ask the run
context first (``runctx.missing_library``) and report
``missing_required_lib('cryptography')``.
"""

import base64
import binascii
import copy
import json

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError

from ansible_collections.matrix.federation.plugins.module_utils._federation.runctx import load_library

MAX_SAFE_INTEGER = 2 ** 53 - 1
ED25519_KEY_BYTES = 32


def encode_base64(data):
    """Unpadded standard base64 (spec appendix "Unpadded Base64")."""
    return base64.b64encode(data).decode('ascii').rstrip('=')


def decode_base64(text):
    """Decode standard or URL-safe base64, padded or not.

    The spec's own test seed has non-zero trailing bits, so decoding is
    lenient about them, as Synapse's ``decode_base64`` is.
    """
    if isinstance(text, bytes):
        text = text.decode('ascii')
    text = text.strip().rstrip('=')
    if len(text) % 4 == 1:
        raise FederationError('INVALID_BASE64', 'invalid base64 length (%d characters)' % len(text))
    text = text.replace('-', '+').replace('_', '/')
    try:
        return base64.b64decode(text + '=' * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise FederationError('INVALID_BASE64', 'invalid base64: %s' % exc)


def _check_canonical_value(value, path='$'):
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return
    if isinstance(value, float):
        raise FederationError('NON_CANONICAL_JSON', 'canonical JSON forbids floats (at %s)' % path)
    if isinstance(value, int):
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            raise FederationError('NON_CANONICAL_JSON', 'integer out of range at %s' % path)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise FederationError('NON_CANONICAL_JSON', 'object key %r at %s is not a string' % (key, path))
            _check_canonical_value(item, '%s.%s' % (path, key))
        return
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _check_canonical_value(item, '%s[%d]' % (path, index))
        return
    raise FederationError('NON_CANONICAL_JSON', 'value of type %s at %s is not JSON' % (type(value).__name__, path))


def encode_canonical_json(value):
    """Encode ``value`` as Matrix canonical JSON (UTF-8 bytes)."""
    _check_canonical_value(value)
    return json.dumps(value, ensure_ascii=False, separators=(',', ':'), sort_keys=True).encode('utf-8')


def _require_cryptography():
    load_library('cryptography')


def signing_key_from_seed(seed):
    """Return an ``Ed25519PrivateKey`` from a 32-byte seed."""
    _require_cryptography()
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # pylint: disable=import-outside-toplevel
    if len(seed) != ED25519_KEY_BYTES:
        raise FederationError('INVALID_KEY', 'an ed25519 seed is 32 bytes, got %d' % len(seed))
    return Ed25519PrivateKey.from_private_bytes(seed)


def generate_seed():
    """Return a fresh random 32-byte ed25519 seed."""
    _require_cryptography()
    from cryptography.hazmat.primitives import serialization  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # pylint: disable=import-outside-toplevel
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())


def public_key_bytes(signing_key):
    """The raw 32-byte public key of a private key."""
    from cryptography.hazmat.primitives import serialization  # pylint: disable=import-outside-toplevel
    return signing_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_from_seed(seed):
    """Unpadded base64 public key for a 32-byte seed."""
    return encode_base64(public_key_bytes(signing_key_from_seed(seed)))


def _signable(json_object):
    obj = dict(json_object)
    obj.pop('signatures', None)
    obj.pop('unsigned', None)
    return encode_canonical_json(obj)


def sign_json(json_object, signing_name, key_id, signing_key):
    """Return a copy of ``json_object`` signed as ``signing_name`` with ``key_id``."""
    signature = signing_key.sign(_signable(json_object))
    signed = copy.deepcopy(json_object)
    signatures = signed.setdefault('signatures', {})
    signatures.setdefault(signing_name, {})[key_id] = encode_base64(signature)
    signed.pop('unsigned', None)
    return signed


def verify_signature(json_object, signing_name, key_id, public_key_b64):
    """Verify one signature; raise ``FederationError`` with a precise code if it fails."""
    _require_cryptography()
    from cryptography.exceptions import InvalidSignature  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey  # pylint: disable=import-outside-toplevel
    try:
        signature_b64 = json_object['signatures'][signing_name][key_id]
    except (KeyError, TypeError):
        raise FederationError('SIGNATURE_MISSING', 'no signature by %s with key %s' % (signing_name, key_id))
    if not isinstance(signature_b64, str):
        raise FederationError('SIGNATURE_INVALID', 'signature by %s with key %s is not a string' % (signing_name, key_id))
    public = decode_base64(public_key_b64)
    if len(public) != ED25519_KEY_BYTES:
        raise FederationError('KEY_WRONG_LENGTH', 'key %s is %d bytes, an ed25519 key is 32' % (key_id, len(public)))
    signature = decode_base64(signature_b64)
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, _signable(json_object))
    except InvalidSignature:
        raise FederationError('SIGNATURE_INVALID', 'signature by %s with key %s does not verify' % (signing_name, key_id))
    except ValueError as exc:
        raise FederationError('SIGNATURE_INVALID', 'signature by %s with key %s is malformed: %s' % (signing_name, key_id, exc))
