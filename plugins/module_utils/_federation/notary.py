# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Notaries: what the key servers peers trust (``trusted_key_servers``) hold for a server, against what it publishes.

Peers that trust a notary ask it for our keys instead of asking us, so a
notary holding other key bytes breaks federation with all of them. Each
notary is asked twice, on one verified-TLS connection after its own key:

* ``GET /_matrix/key/v2/query/<server>`` (no key ID): what it holds cached,
  returned without fetching anything (Synapse's ``RemoteKey.query_keys``
  with an empty key set);
* ``POST /_matrix/key/v2/query`` with ``minimum_valid_until_ts`` = now for
  each current key ID, as peers ask: a notary whose cache does not satisfy
  that fetches from the server first.

Every answer must be signed by the notary (with a key it publishes over
verified TLS) and by the server itself. The judging functions are pure;
:func:`check_notaries` is the network part, on the run's clients.
"""

import datetime
import json
import threading

from ansible_collections.matrix.federation.plugins.module_utils._federation import signing
from ansible_collections.matrix.federation.plugins.module_utils._federation.checks import evaluate_server_keys
from ansible_collections.matrix.federation.plugins.module_utils._federation.discovery import resolve_server_name
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError, finding
from ansible_collections.matrix.federation.plugins.module_utils._federation.keytrust import trusted_server_keys
from ansible_collections.matrix.federation.plugins.module_utils._federation.runctx import run_parallel
from ansible_collections.matrix.federation.plugins.module_utils._federation.spec import KEY_PATH, KEYS_MAX_BYTES

QUERY_PATH = '/_matrix/key/v2/query'
# Notaries asked at once; each is a DNS resolution and one TLS connection.
NOTARY_FANOUT = 8
# Transport failures that mean the notary could not be asked (the others: it answered something unusable).
_UNREACHABLE_CODES = ('CONNECTION_REFUSED', 'CONNECTION_FAILED', 'CONNECTION_TIMEOUT', 'TLS_ERROR', 'TLS_TIMEOUT',
                      'HTTP_TIMEOUT', 'HTTP_ERROR', 'TIMEOUT')
_UNRESOLVABLE_CODES = ('INVALID_SERVER_NAME', 'NO_TARGETS', 'SRV_SERVICE_UNAVAILABLE')
_FALLBACK = 'peers that trust it fall back to asking the server directly'


def utc(ts_ms):
    """A millisecond timestamp as ``YYYY-MM-DDTHH:MM:SSZ`` (or ``'?'`` when it is not one)."""
    if isinstance(ts_ms, bool) or not isinstance(ts_ms, int):
        return '?'
    try:
        return datetime.datetime.fromtimestamp(ts_ms / 1000.0, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
    except (OverflowError, OSError, ValueError):
        return '?'


def _key(value):
    return str(value).rstrip('=')


def _int(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# --------------------------------------------------------------------------- pure judging

def published_keys(report):
    """What the server publishes, from its report: ``{verify_keys, old_verify_keys, valid_until_ts}``.

    Only keys the test could trust (verified TLS, valid self-signed
    responses, every address agreeing: :func:`trusted_server_keys`) are
    compared. Raises ``FederationError`` saying why there is nothing to
    compare with.
    """
    verify_keys = trusted_server_keys(report)
    if not verify_keys:
        raise FederationError('KEYS_UNAVAILABLE', 'the server publishes no ed25519 key with a valid self-signature')
    first = report['connection_reports'][sorted(report['connection_reports'])[0]]
    body = first.get('keys') if isinstance(first.get('keys'), dict) else {}
    old = {}
    raw_old = body.get('old_verify_keys')
    if isinstance(raw_old, dict):
        for key_id, entry in raw_old.items():
            if isinstance(entry, dict) and isinstance(entry.get('key'), str):
                old[key_id] = {'key': _key(entry['key']), 'expired_ts': _int(entry.get('expired_ts'))}
    return {'verify_keys': dict((k, _key(v)) for k, v in verify_keys.items()), 'old_verify_keys': old,
            'valid_until_ts': first.get('valid_until_ts')}


def verify_notary_keys(body, notary_name, now_ms):
    """The notary's own ``{key_id: key}`` from its ``/_matrix/key/v2/server`` body, or ``FederationError``.

    The response must be for ``notary_name``, valid now, and self-signed by
    every ed25519 key it lists (the checks of a homeserver's keys).
    """
    result = evaluate_server_keys(body, notary_name, now_ms)
    checks = result['checks']
    problems = [e['message'] for e in result['errors'] if not e['code'].startswith('KEYS_OLD_')]
    if not (checks['matching_server_name'] and checks['future_valid_until_ts'] and checks['all_ed25519_checks_ok']):
        raise FederationError('NOTARY_INVALID_RESPONSE', 'its own key response (GET %s) is not usable: %s'
                              % (KEY_PATH, '; '.join(problems) or 'no valid self-signed ed25519 key'))
    return dict((k, _key(v)) for k, v in result['verify_keys'].items() if k.startswith('ed25519:'))


def _verify_any(entry, signer, keys):
    """The key IDs of ``keys`` (``{id: key}``) whose signature by ``signer`` on ``entry`` verifies; and the failures."""
    good, failures = [], []
    signatures = (entry.get('signatures') or {}).get(signer) if isinstance(entry.get('signatures'), dict) else None
    if not isinstance(signatures, dict) or not signatures:
        return good, ['no signature by %s' % signer]
    for key_id in sorted(signatures):
        if key_id not in keys:
            failures.append('signed by %s with %s, a key it does not publish' % (signer, key_id))
            continue
        try:
            signing.verify_signature(entry, signer, key_id, keys[key_id])
            good.append(key_id)
        except FederationError as exc:
            failures.append(exc.message)
    return good, failures


def _entry_keys(entry, field):
    raw = entry.get(field)
    out = {}
    if isinstance(raw, dict):
        for key_id, value in raw.items():
            if isinstance(value, dict) and isinstance(value.get('key'), str):
                out[key_id] = value
    return out


def parse_notary_answer(body, notary_name, notary_keys, server_name):
    """The server's key responses in one notary answer: ``(entries, problems)`` (pure).

    ``entries`` are the responses for ``server_name`` signed by the notary
    (with one of ``notary_keys``) and by the server (with a key of that
    response); ``problems`` say why the other ones were refused. Raises
    ``FederationError('NOTARY_INVALID_RESPONSE')`` when the answer is not
    ``{"server_keys": [...]}``.
    """
    if not isinstance(body, dict) or not isinstance(body.get('server_keys'), list):
        raise FederationError('NOTARY_INVALID_RESPONSE', 'the answer is not {"server_keys": [...]}')
    entries, problems = [], []
    for index, entry in enumerate(body['server_keys']):
        if not isinstance(entry, dict):
            problems.append('server_keys[%d] is not an object' % index)
            continue
        if entry.get('server_name') != server_name:
            continue
        try:
            signing.encode_canonical_json(entry)
        except FederationError as exc:
            problems.append('server_keys[%d] cannot be verified: %s' % (index, exc.message))
            continue
        good, failures = _verify_any(entry, notary_name, notary_keys)
        if not good:
            problems.append('server_keys[%d] is not signed by the notary: %s' % (index, '; '.join(failures)))
            continue
        own = dict((k, v['key']) for k, v in _entry_keys(entry, 'verify_keys').items() if k.startswith('ed25519:'))
        good, failures = _verify_any(entry, server_name, own)
        if not good:
            problems.append('server_keys[%d] is not signed by %s itself: %s' % (index, server_name, '; '.join(failures)))
            continue
        if _int(entry.get('valid_until_ts')) is None:
            problems.append('server_keys[%d] has no integer valid_until_ts' % index)
            continue
        entries.append(entry)
    return entries, problems


def summarize_answer(entries):
    """``{valid_until_ts, valid_until, verify_keys: [ids], old_verify_keys: {id: expired_ts}}`` of the entries, or ``None``.

    ``valid_until_ts`` is the latest of the entries (the one a peer keeps).
    """
    if not entries:
        return None
    verify, old = set(), {}
    for entry in entries:
        verify.update(_entry_keys(entry, 'verify_keys'))
        for key_id, value in _entry_keys(entry, 'old_verify_keys').items():
            old[key_id] = _int(value.get('expired_ts'))
    valid_until = max(entry['valid_until_ts'] for entry in entries)
    return {'valid_until_ts': valid_until, 'valid_until': utc(valid_until), 'verify_keys': sorted(verify),
            'old_verify_keys': old}


def _holds(entries, key_id):
    """The latest ``valid_until_ts`` of the entries listing ``key_id`` as a verify key, or ``None``."""
    times = [e['valid_until_ts'] for e in entries if key_id in _entry_keys(e, 'verify_keys')]
    return max(times) if times else None


def judge_notary(notary_name, server_name, published, cached, queried, now_ms):
    """The findings of one notary from its answers (pure): ``(errors, warnings, details)``.

    ``cached`` and ``queried`` are the verified entries of the GET and the
    POST answer (``None`` when that request failed). ``details`` holds
    ``current_key_present`` and ``old_keys``.
    """
    errors, warnings = [], []
    current = published['verify_keys']
    known = dict((k, v['key']) for k, v in published['old_verify_keys'].items())
    known.update(current)
    seen = set()
    for label, entries in (('cached', cached), ('queried', queried)):
        for entry in entries or []:
            for field in ('verify_keys', 'old_verify_keys'):
                for key_id, value in sorted(_entry_keys(entry, field).items()):
                    if key_id in known and _key(value['key']) != known[key_id] and key_id not in seen:
                        seen.add(key_id)
                        errors.append(finding('NOTARY_KEY_MISMATCH', (
                            '%s holds %s for %s as %s (its %s answer, valid until %s), but %s publishes %s: peers that '
                            'trust %s reject events and requests signed with %s until that answer expires (the notary '
                            'refetches only then). Never reuse a key ID for a new key: restore the signing key the '
                            'notary holds, or publish the new key under a new key ID (peers then ask for that ID and '
                            'the notary fetches it), or have the notary\'s operator purge its cache for %s') % (
                            notary_name, key_id, server_name, _key(value['key']), label, utc(entry['valid_until_ts']),
                            server_name, known[key_id], notary_name, key_id, server_name)))
    present = []
    if queried is not None:
        for key_id in sorted(current):
            until = _holds(queried, key_id)
            if until is None:
                warnings.append(finding('NOTARY_KEY_MISSING', (
                    '%s returns nothing for %s key %s when asked as peers ask (POST %s, minimum_valid_until_ts %s): it '
                    'could not fetch the key from %s; %s. Check that %s can reach %s (resolution, firewall, '
                    'certificate)') % (notary_name, server_name, key_id, QUERY_PATH, utc(now_ms), server_name,
                                       _FALLBACK, notary_name, server_name)))
            elif until <= now_ms:
                warnings.append(finding('NOTARY_KEY_MISSING', (
                    '%s returns only an expired answer for %s key %s (valid until %s) when asked as peers ask: it could '
                    'not refetch it from %s; %s. Check that %s can reach %s') % (
                    notary_name, server_name, key_id, utc(until), server_name, _FALLBACK, notary_name, server_name)))
            else:
                present.append(key_id)
    if cached:
        summary = summarize_answer(cached)
        lacking = [k for k in sorted(current) if _holds(cached, k) is None]
        expired = [k for k in sorted(current) if k not in lacking and _holds(cached, k) <= now_ms]
        # Peers ask by key ID: when the notary handed out every current key on request (it refetched, as right
        # after a rotation), an older cached answer is no fault.
        refreshed = queried is not None and bool(current) and len(present) == len(current)
        if lacking and summary['valid_until_ts'] > now_ms and not refreshed:
            warnings.append(finding('NOTARY_KEY_STALE', (
                '%s\'s cached answer for %s lists %s but not the current key %s, and is valid until %s: peers that ask '
                '%s without a key ID, or for a key it holds, may see the old answer until then') % (
                notary_name, server_name, ', '.join(summary['verify_keys']) or 'no keys', ', '.join(lacking),
                summary['valid_until'], notary_name)))
        elif (lacking or expired) and (queried is None or len(present) < len(current)):
            warnings.append(finding('NOTARY_KEY_STALE', (
                '%s\'s cached answer for %s (valid until %s, past) %s and was not refreshed: peers that trust %s get '
                'that old answer, refuse it as expired and fall back to asking %s directly') % (
                notary_name, server_name, summary['valid_until'],
                'lacks the current key %s' % ', '.join(lacking) if lacking else 'has expired',
                notary_name, server_name)))
    old_keys = {}
    answers = (cached or []) + (queried or [])
    for key_id in sorted(published['old_verify_keys']):
        listed = [_int(v.get('expired_ts')) for e in answers for k, v in _entry_keys(e, 'old_verify_keys').items()
                  if k == key_id]
        as_current = _holds(answers, key_id)
        if listed or as_current is not None:
            expiry = max(t for t in listed if t is not None) if any(t is not None for t in listed) else as_current
            old_keys[key_id] = {'listed': True, 'expired_ts': expiry, 'expired': utc(expiry)}
        else:
            old_keys[key_id] = {'listed': False, 'expired_ts': None, 'expired': None}
            if answers:
                warnings.append(finding('NOTARY_OLD_KEY_UNLISTED', (
                    '%s: %s publishes old key %s (expired %s) in old_verify_keys, but the notary\'s answer does not '
                    'list it: events signed with %s cannot be verified by peers that trust %s (they may ask %s '
                    'directly); the notary lists it once it refetches the keys of %s (at the latest after %s)') % (
                    notary_name, server_name, key_id, utc(published['old_verify_keys'][key_id]['expired_ts']), key_id,
                    notary_name, server_name, server_name, summarize_answer(answers)['valid_until'])))
    return errors, warnings, {'current_key_present': bool(current) and len(present) == len(current),
                              'old_keys': old_keys}


def transport_finding(notary_name, exc, what):
    """The finding of a failed request to a notary: ``NOTARY_UNREACHABLE`` or ``NOTARY_INVALID_RESPONSE``."""
    code = exc.code if isinstance(exc, FederationError) else 'INTERNAL_ERROR'
    message = exc.message if isinstance(exc, FederationError) else '%s: %s' % (type(exc).__name__, exc)
    if code == 'TLS_CERT_INVALID':
        return finding('NOTARY_INVALID_RESPONSE', '%s: refused, %s over TLS that does not verify (%s): a notary\'s '
                       'keys and answers count only over verified TLS; fix its certificate or pass ca_path'
                       % (notary_name, what, message))
    if code in _UNREACHABLE_CODES or code.startswith('DNS_') or code in _UNRESOLVABLE_CODES:
        return finding('NOTARY_UNREACHABLE', '%s: %s failed (%s: %s); %s' % (notary_name, what, code, message, _FALLBACK))
    return finding('NOTARY_INVALID_RESPONSE', '%s: %s failed (%s: %s)' % (notary_name, what, code, message))


def _answer_body(response, notary_name, what):
    if response.status != 200:
        raise FederationError('NOTARY_INVALID_RESPONSE', '%s: %s answered HTTP %s: it does not act as a notary (key '
                              'server) at this address' % (notary_name, what, response.status))
    try:
        return response.json()
    except FederationError as exc:
        raise FederationError('NOTARY_INVALID_RESPONSE', '%s: %s: %s' % (notary_name, what, exc.message))


def new_notary_entry():
    """A notary's part of the report before anything is known."""
    return {'reachable': False, 'notary_key_verified': False, 'notary_keys': [], 'address': None, 'cached': None,
            'queried': None, 'current_key_present': False, 'old_keys': {}, 'skipped': None, 'errors': [],
            'federation_warnings': []}


def judge_answers(notary_name, server_name, published, notary_key_response, cached_response, queried_response, now_ms):
    """A notary's report entry from the three HTTPS results (``HttpsResponse`` or ``FederationError``) (pure)."""
    out = new_notary_entry()
    out['reachable'] = True
    problems = []
    try:
        if isinstance(notary_key_response, FederationError):
            raise notary_key_response
        keys = verify_notary_keys(_answer_body(notary_key_response, notary_name, 'GET ' + KEY_PATH), notary_name, now_ms)
    except FederationError as exc:
        out['errors'] = []
        out['federation_warnings'] = [transport_finding(notary_name, exc, 'GET ' + KEY_PATH)
                                      if exc.code != 'NOTARY_INVALID_RESPONSE'
                                      else finding(exc.code, exc.message if exc.message.startswith(notary_name)
                                                   else '%s: %s' % (notary_name, exc.message))]
        return out
    out['notary_key_verified'] = True
    out['notary_keys'] = sorted(keys)
    answers = {}
    for label, what, response in (('cached', 'GET %s/%s' % (QUERY_PATH, server_name), cached_response),
                                  ('queried', 'POST %s' % QUERY_PATH, queried_response)):
        try:
            if isinstance(response, FederationError):
                raise response
            entries, refused = parse_notary_answer(_answer_body(response, notary_name, what), notary_name, keys,
                                                   server_name)
        except FederationError as exc:
            problems.append(transport_finding(notary_name, exc, what) if exc.code != 'NOTARY_INVALID_RESPONSE'
                            else finding(exc.code, exc.message if exc.message.startswith(notary_name)
                                         else '%s: %s: %s' % (notary_name, what, exc.message)))
            answers[label] = None
            continue
        if refused:
            problems.append(finding('NOTARY_INVALID_RESPONSE', '%s: %s: refused %s'
                                    % (notary_name, what, '; '.join(refused[:5]))))
        answers[label] = entries
        out[label] = summarize_answer(entries)
    errors, warnings, details = judge_notary(notary_name, server_name, published, answers['cached'],
                                             answers['queried'], now_ms)
    out.update(details)
    out['errors'] = errors
    out['federation_warnings'] = problems + warnings
    return out


# --------------------------------------------------------------------------- network

def query_body(server_name, key_ids, now_ms):
    """The ``POST /_matrix/key/v2/query`` body peers send for ``key_ids`` of ``server_name``."""
    return json.dumps({'server_keys': {server_name: dict(
        (key_id, {'minimum_valid_until_ts': now_ms}) for key_id in sorted(key_ids))}}).encode('utf-8')


def _cached_path(server_name):
    from urllib.parse import quote  # pylint: disable=import-outside-toplevel
    return '%s/%s' % (QUERY_PATH, quote(server_name, safe=':'))


def ask_notary(notary_name, server_name, published, dns, https, now_ms):
    """Resolve ``notary_name``, fetch its key and both answers over verified TLS; return its report entry."""
    discovery = resolve_server_name(notary_name, dns, https)
    resolution = discovery['resolution']
    out = new_notary_entry()
    addresses = [(target, address) for target in resolution['targets'] for address in target['addresses']]
    if not addresses:
        cause = (discovery['errors'] or [finding('NO_TARGETS', 'resolution gave no address')])[0]
        out['federation_warnings'] = [finding('NOTARY_UNREACHABLE', '%s: cannot resolve it (%s: %s); %s' % (
            notary_name, cause['code'], cause['message'], _FALLBACK))]
        return out
    requests = [(KEY_PATH, KEYS_MAX_BYTES), (_cached_path(server_name), KEYS_MAX_BYTES),
                (QUERY_PATH, KEYS_MAX_BYTES, {}, 'POST', query_body(server_name, published['verify_keys'], now_ms))]
    last = None
    for target, address in addresses:
        try:
            results = https.request_many(address, target['port'], requests, resolution['host_header'],
                                         tls_name=resolution['sni'] or address, verify=True)
        except FederationError as exc:
            last = exc
            # As homeservers do, only a failed connection moves on to the next address.
            if exc.code in ('CONNECTION_REFUSED', 'CONNECTION_FAILED', 'CONNECTION_TIMEOUT'):
                continue
            break
        entry = judge_answers(notary_name, server_name, published, results[0], results[1], results[2], now_ms)
        entry['address'] = '%s:%d' % (address, target['port']) if ':' not in address else '[%s]:%d' % (
            address, target['port'])
        return entry
    out['federation_warnings'] = [transport_finding(notary_name, last, 'GET ' + KEY_PATH)]
    return out


def check_notaries(notaries, report, dns, https, now_ms, fanout=NOTARY_FANOUT):
    """Ask every notary (``fanout`` at once, on the run's clients and deadline); return ``{name: entry}``.

    Each entry is :func:`new_notary_entry`'s shape; findings are not yet
    in ``report`` (see :func:`merge_notary_findings`). When the server's
    own keys could not be trusted, every entry says so in ``skipped`` and
    no notary is asked.
    """
    names = []
    for name in notaries or []:
        if name not in names:
            names.append(name)
    if not names:
        return {}
    try:
        published = published_keys(report)
    except FederationError as exc:
        reason = 'the server\'s own keys could not be fetched and verified, so there is nothing to compare (%s: %s)' % (
            exc.code, exc.message)
        out = {}
        for name in names:
            out[name] = new_notary_entry()
            out[name]['reachable'] = None
            out[name]['skipped'] = reason
        return out
    results, lock = {}, threading.Lock()
    queue = list(reversed(names))

    def worker():
        while True:
            with lock:
                if not queue:
                    return
                name = queue.pop()
            try:
                entry = ask_notary(name, report['server_name'], published, dns, https, now_ms)
            except Exception as exc:  # pylint: disable=broad-except
                entry = new_notary_entry()
                entry['federation_warnings'] = [transport_finding(name, exc, 'the notary check')]
            with lock:
                results[name] = entry

    run_parallel([worker] * max(1, min(int(fanout), len(names))))
    return dict((name, results[name]) for name in names)


def merge_notary_findings(report, notaries):
    """Add ``notaries`` to ``report`` and its findings to ``errors`` / ``federation_warnings``; ``federation_ok`` follows."""
    report['notaries'] = notaries
    for name in notaries:
        report['errors'].extend(notaries[name]['errors'])
        report['federation_warnings'].extend(notaries[name]['federation_warnings'])
    report['federation_ok'] = report['federation_ok'] and not any(notaries[n]['errors'] for n in notaries)
    return report
