# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Server-name resolution exactly as the Server-Server API spec orders it.

``resolve_server_name()`` returns where a homeserver would connect, which
``Host`` header and TLS name it would use, and what the well-known fetch and
the DNS lookups returned on the way (see docs/errors.md for the codes).
What the remote side can make a test do is bounded here (spec.py's SRV,
address and connection limits); every cut is reported with a code.
"""

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError, finding
from ansible_collections.matrix.federation.plugins.module_utils._federation.runctx import run_parallel
from ansible_collections.matrix.federation.plugins.module_utils._federation.servername import dns_name_problem, parse_server_name
from ansible_collections.matrix.federation.plugins.module_utils._federation.spec import (
    DEFAULT_FEDERATION_PORT,
    HOST_MAX_ADDRESSES,
    MAX_CONNECTIONS,
    SRV_MAX_RECORDS,
    WELL_KNOWN_ERROR_CACHE_S,
    WELL_KNOWN_MAX_CACHE_S,
    WELL_KNOWN_SERVER_PATH,
    choose_srv,
    format_host_port,
    srv_names,
)

# Well-known answers that are an HTTP error (a status other than 200 and 404, or a broken HTTP answer):
# WELLKNOWN_HTTP_ERROR, not WELLKNOWN_BROKEN (one code per fault).
_HTTP_ERRORS = ('WELLKNOWN_HTTP_STATUS', 'WELLKNOWN_HTTP_ERROR')
# Well-known failures that mean "someone tried to delegate and it is broken"
# (as opposed to "there is no well-known"), reported as warnings.
_BROKEN_WELL_KNOWN = ('WELLKNOWN_INVALID_JSON', 'WELLKNOWN_TOO_LARGE', 'WELLKNOWN_REDIRECT_LOOP',
                      'WELLKNOWN_TOO_MANY_REDIRECTS', 'WELLKNOWN_TLS_CERT_INVALID', 'WELLKNOWN_TLS_ERROR',
                      'WELLKNOWN_HTTP_TIMEOUT', 'WELLKNOWN_TLS_TIMEOUT', 'WELLKNOWN_INVALID_URL',
                      'WELLKNOWN_DNS_SERVFAIL', 'WELLKNOWN_DNS_TIMEOUT', 'WELLKNOWN_FETCH_FAILED')


def _srv_lookup(dns, name):
    """``{records, error}`` for one SRV name (error as ``{code, message}``); never raises.

    A name DNS cannot carry (over 253 octets, a label over 63) is an error,
    as a homeserver's resolver fails on it too, not "no records".
    """
    problem = dns_name_problem(name)
    if problem:
        return {'records': [], 'error': finding('SRV_NAME_INVALID', 'SRV name %s, so no homeserver can look it up: '
                                                'shorten or fix the server name (or m.server)' % problem)}
    try:
        records = dns.lookup_srv(name)
    except FederationError as exc:
        return {'records': [], 'error': exc.as_dict()}
    except Exception as exc:  # pylint: disable=broad-except
        return {'records': [], 'error': finding('DNS_ERROR', 'SRV lookup for %s failed: %s' % (name, exc))}
    if len(records) > SRV_MAX_RECORDS:
        # The first ones in RFC 2782 order: those a homeserver tries first.
        return {'records': records[:SRV_MAX_RECORDS], 'error': None, 'records_seen': len(records)}
    return {'records': records, 'error': None}


def _too_many_records(name, answer):
    """The ``SRV_TOO_MANY_RECORDS`` warning of a cut SRV answer, or ``None``."""
    if not answer.get('records_seen'):
        return None
    return finding('SRV_TOO_MANY_RECORDS', '%s has %d SRV records: only the first %d in RFC 2782 order are tested '
                   '(homeservers try them one after another); publish fewer'
                   % (name, answer['records_seen'], SRV_MAX_RECORDS))


def bounded_addresses(answer):
    """At most :data:`HOST_MAX_ADDRESSES` of a ``resolve_host`` answer, both IP families kept; and the warning."""
    addresses = list(answer['addresses'])
    if len(addresses) <= HOST_MAX_ADDRESSES:
        return addresses, None
    ipv4, ipv6 = answer.get('ipv4') or [], answer.get('ipv6') or []
    if len(ipv4) + len(ipv6) != len(addresses):
        ipv4, ipv6 = addresses, []
    keep4 = min(len(ipv4), max(HOST_MAX_ADDRESSES - len(ipv6), HOST_MAX_ADDRESSES // 2))
    keep6 = min(len(ipv6), HOST_MAX_ADDRESSES - keep4)
    warning = finding('DNS_TOO_MANY_ADDRESSES', '%s has %d addresses (%d IPv4, %d IPv6): %d are tested (%d IPv4, '
                      '%d IPv6), the first of each family'
                      % (answer['host'], len(addresses), len(ipv4), len(ipv6), keep4 + keep6, keep4, keep6))
    return ipv4[:keep4] + ipv6[:keep6], warning


def _bound_connections(resolution, warnings):
    """Keep at most :data:`MAX_CONNECTIONS` distinct ``ip:port`` over all targets, in resolution order."""
    seen, kept_targets, planned = set(), [], 0
    for target in resolution['targets']:
        kept = []
        for address in target['addresses']:
            key = format_host_port(address, target['port'])
            if key not in seen:
                planned += 1
            if key in seen or len(seen) < MAX_CONNECTIONS:
                seen.add(key)
                kept.append(address)
        if kept or not target['addresses']:
            kept_targets.append(dict(target, addresses=kept))
    if planned > MAX_CONNECTIONS:
        warnings.append(finding('TOO_MANY_CONNECTIONS', 'the targets have %d addresses to test: only the first %d '
                                '(in SRV and address order) are connected to' % (planned, MAX_CONNECTIONS)))
        resolution['targets'] = kept_targets


def _lookup_both_srv(dns, host, prefetch=False):
    """Both SRV names of ``host`` at once.

    With ``prefetch`` the addresses of the targets that would be used are
    resolved as soon as the SRV answer is there (into the client's cache,
    not into the report), so they are ready when the well-known fetch ends.
    """
    names = srv_names(host)
    results = run_parallel([lambda n=n: _srv_lookup(dns, n) for n in names])
    srv = dict((name, result) for name, (result, dummy) in zip(names, results))
    if prefetch:
        choice = choose_srv(srv[names[0]], srv[names[1]])
        chosen = srv[names[1]] if choice == 'legacy' else srv[names[0]]
        hosts = [r['target'] for r in chosen['records'] if r['target'] != '.']
        run_parallel([lambda h=h: dns.resolve_host(h) for h in hosts])
    return srv


def _target(host, port, addresses=None, **extra):
    target = {'host': host, 'port': port, 'addresses': list(addresses or [])}
    target.update(extra)
    return target


def _resolve_targets(dns, targets, dns_result, errors, warnings, srv_names=False):
    """Fill in each target's addresses (all hosts at once) and record DNS findings."""
    hosts = [t['host'] for t in targets]
    answers = run_parallel([lambda h=h: dns.resolve_host(h) for h in hosts])
    for target, (answer, exc) in zip(targets, answers):
        if exc is not None:
            err = exc.as_dict() if isinstance(exc, FederationError) else finding('DNS_ERROR', str(exc))
            errors.append(err)
            continue
        dns_result['hosts'][target['host']] = answer
        target['addresses'], too_many = bounded_addresses(answer)
        if too_many and too_many not in warnings:
            warnings.append(too_many)
        if answer['error']:
            errors.append(answer['error'])
        if srv_names and answer['cname']:
            dns_result['cname_targets'].append(target['host'])
            warnings.append(finding('SRV_TARGET_CNAME', 'SRV target %s is a CNAME (%s): RFC 2782 and the Matrix spec '
                                    'forbid it; point the SRV record at the canonical name'
                                    % (target['host'], ' -> '.join(answer['cname']))))


def _apply_srv(dns, host, srv, resolution, dns_result, errors, warnings, methods):
    """Steps 3.3/3.4 and 4/5: use SRV records of ``host`` if any. Return True when SRV decided."""
    fed_name, legacy_name = srv_names(host)
    fed, legacy = srv[fed_name], srv[legacy_name]
    choice = choose_srv(fed, legacy)
    if choice is None:
        return False
    chosen, name, method = (fed, fed_name, methods[0]) if choice == 'fed' else (legacy, legacy_name, methods[1])
    if chosen['error']:
        errors.append(chosen['error'])
        resolution['method'] = method
        return True
    if choice == 'legacy':
        warnings.append(finding('SRV_LEGACY_ONLY', '%s has only the deprecated %s SRV record: add %s (same target and '
                                'port); newer homeservers may stop reading the old name' % (host, legacy_name, fed_name)))
    resolution['method'] = method
    if _too_many_records(name, chosen):
        warnings.append(_too_many_records(name, chosen))
    records = chosen['records']
    if len(records) == 1 and records[0]['target'] == '.':
        errors.append(finding('SRV_SERVICE_UNAVAILABLE', '%s has the single target ".": the domain says federation is '
                              'not available (no fallback to port 8448)' % name))
        return True
    resolution['targets'] = [_target(r['target'], r['port'], priority=r['priority'], weight=r['weight'])
                             for r in records if r['target'] != '.']
    _resolve_targets(dns, resolution['targets'], dns_result, errors, warnings, srv_names=True)
    return True


def resolve_server_name(server_name, dns, https):
    """Resolve ``server_name`` per the spec; never raises for network or input problems.

    ``dns`` is a :class:`DnsClient`, ``https`` an :class:`HttpsClient`.
    Returns ``{resolution, well_known_result, dns_result, errors, warnings}``
    where ``resolution`` is ``{server_name, method, delegated_hostname,
    host_header, sni, targets: [{host, port, addresses}]}``, ``sni`` is
    ``None`` for IP literals (no SNI, the certificate must cover the IP) and
    ``errors``/``warnings`` are lists of ``{code, message}``. The targets are
    bounded (spec.py: SRV records, addresses per host, connections), each
    cut reported in ``warnings``. When the well-known is fetched,
    ``well_known_result`` also has ``by_address`` (``{ip: {status, m_server,
    error}}``, the fetch from every address of the host), ``dns`` (the
    host's addresses) and ``cache`` (how long peers keep the answer, see
    :func:`wellknown_fetch.well_known_cache_lifetime`); what homeservers
    ignore is said in ``warnings`` (``WELLKNOWN_ADDRESS_DIFFERS``,
    ``SRV_IGNORED``, ``WELLKNOWN_HTTP_ERROR``, ``WELLKNOWN_CACHE_LONG``).
    """
    out = _resolve_server_name(server_name, dns, https)
    _bound_connections(out['resolution'], out['warnings'])
    return out


def _resolve_server_name(server_name, dns, https):
    resolution = {'server_name': server_name, 'method': None, 'delegated_hostname': None,
                  'host_header': None, 'sni': None, 'targets': []}
    dns_result = {'srv': {}, 'hosts': {}, 'cname_targets': []}
    out = {'resolution': resolution, 'well_known_result': None, 'dns_result': dns_result, 'errors': [], 'warnings': []}
    errors, warnings = out['errors'], out['warnings']
    try:
        parsed = parse_server_name(server_name)
    except FederationError as exc:
        errors.append(exc.as_dict())
        return out

    if parsed.is_ip_literal:  # step 1
        resolution.update(method='ip_literal', host_header=parsed.raw)
        resolution['targets'] = [_target(parsed.host, parsed.port or DEFAULT_FEDERATION_PORT, [parsed.host])]
        return out
    if parsed.port is not None:  # step 2
        resolution.update(method='explicit_port', host_header=parsed.raw, sni=parsed.host)
        resolution['targets'] = [_target(parsed.host, parsed.port)]
        _resolve_targets(dns, resolution['targets'], dns_result, errors, warnings)
        return out

    # Only here is a well-known fetched: IP literals and explicit ports never load its code.
    from ansible_collections.matrix.federation.plugins.module_utils._federation.wellknown_fetch import (  # pylint: disable=import-outside-toplevel
        fetch_well_known_by_address,
        well_known_cache_lifetime,
    )

    # Step 3, with the SRV lookups of steps 4/5 in flight at the same time;
    # they are used only if the well-known gives no delegation.
    # The well-known is fetched from every address of the host at once: the answer a homeserver gets
    # (the first address that connects) decides, the others say what peers of one family get.
    (fetched, wk_exc), (srv, srv_exc) = run_parallel([
        lambda: fetch_well_known_by_address(parsed.host, https, WELL_KNOWN_SERVER_PATH),
        lambda: _lookup_both_srv(dns, parsed.host, prefetch=True),
    ])
    well_known = fetched['result'] if wk_exc is None else None
    if wk_exc is not None:
        # A failure the fetch did not foresee (a redirect to a URL that cannot be parsed) is still only a
        # well-known that cannot be used: homeservers fall through to SRV, and so does the test.
        well_known = {'url': 'https://%s%s' % (parsed.host, WELL_KNOWN_SERVER_PATH), 'json': None, 'warnings': [],
                      'error': finding('WELLKNOWN_FETCH_FAILED', 'https://%s%s: %s: %s' % (
                          parsed.host, WELL_KNOWN_SERVER_PATH, type(wk_exc).__name__, wk_exc))}
    if srv_exc is not None:
        raise srv_exc
    delegated = well_known_delegation(well_known, warnings)
    out['well_known_result'] = well_known = dict(well_known)
    by_address = dict((ip, address_outcome(result)) for ip, result in ((fetched or {}).get('by_address') or {}).items())
    well_known.update(by_address=by_address, dns=(fetched or {}).get('dns'),
                      cache=well_known_cache_lifetime(well_known.get('headers'), delegated is not None))
    m_server = well_known['json'].get('m.server') if delegated is not None else None
    wk_dns = well_known['dns'] or {}
    dummy, too_many = bounded_addresses({'host': parsed.host, 'ipv4': wk_dns.get('ipv4') or [],
                                         'ipv6': wk_dns.get('ipv6') or [],
                                         'addresses': (wk_dns.get('ipv4') or []) + (wk_dns.get('ipv6') or [])})
    if too_many:
        warnings.append(too_many)
    fallback = _fallback_text(parsed.host, srv)
    differs = address_differences(by_address, m_server, fallback)
    if differs:
        warnings.append(differs)
    for finding_ in (_http_error_warning(well_known, fallback), _cache_warning(well_known, m_server)):
        if finding_:
            warnings.append(finding_)
    if delegated is not None:
        ignored = _srv_ignored(parsed.host, srv, m_server)
        if ignored:
            warnings.append(ignored)
    if delegated is None:
        dns_result['srv'].update(srv)
        resolution.update(host_header=parsed.host, sni=parsed.host)
        if not _apply_srv(dns, parsed.host, srv, resolution, dns_result, errors, warnings, ('srv', 'srv_legacy')):
            resolution['method'] = 'default'
            resolution['targets'] = [_target(parsed.host, DEFAULT_FEDERATION_PORT)]
            _resolve_targets(dns, resolution['targets'], dns_result, errors, warnings)
        return out

    resolution['delegated_hostname'] = delegated.host
    if delegated.is_ip_literal:  # 3.1
        resolution.update(method='well_known_ip', host_header=delegated.raw)
        resolution['targets'] = [_target(delegated.host, delegated.port or DEFAULT_FEDERATION_PORT, [delegated.host])]
        return out
    if delegated.port is not None:  # 3.2
        resolution.update(method='well_known_port', host_header=delegated.raw, sni=delegated.host)
        resolution['targets'] = [_target(delegated.host, delegated.port)]
        _resolve_targets(dns, resolution['targets'], dns_result, errors, warnings)
        return out
    resolution.update(host_header=delegated.host, sni=delegated.host)
    # The delegated host's own addresses (step 3.5) are looked up beside its SRV records (3.3/3.4).
    (srv, srv_exc), dummy = run_parallel([lambda: _lookup_both_srv(dns, delegated.host, prefetch=True),
                                          lambda: dns.resolve_host(delegated.host)])
    if srv_exc is not None:
        raise srv_exc
    dns_result['srv'].update(srv)
    if not _apply_srv(dns, delegated.host, srv, resolution, dns_result, errors, warnings,
                      ('well_known_srv', 'well_known_srv_legacy')):
        resolution['method'] = 'well_known_default'  # 3.5
        resolution['targets'] = [_target(delegated.host, DEFAULT_FEDERATION_PORT)]
        _resolve_targets(dns, resolution['targets'], dns_result, errors, warnings)
    return out


def well_known_delegation(well_known, warnings):
    """The parsed ``m.server`` of a well-known result, or ``None`` (fall through)."""
    for warning in well_known['warnings']:
        if warning['code'] != 'WELLKNOWN_CONTENT_TYPE':
            warnings.append(warning)
    error = well_known['error']
    if error:
        html = any(w['code'] == 'WELLKNOWN_HTML' for w in well_known['warnings'])
        if error['code'] in _BROKEN_WELL_KNOWN and not html:
            warnings.append(finding('WELLKNOWN_BROKEN', 'the well-known delegation is ignored (%s): %s'
                                    % (error['code'], error['message'])))
        return None
    body = well_known['json']
    value = body.get('m.server') if isinstance(body, dict) else None
    if not isinstance(value, str) or not value:
        warnings.append(finding('WELLKNOWN_NO_M_SERVER', '%s has no non-empty string "m.server": it is ignored'
                                % well_known['url']))
        return None
    try:
        return parse_server_name(value)
    except FederationError as exc:
        warnings.append(finding('WELLKNOWN_INVALID_M_SERVER', '%s: "m.server" is ignored: %s' % (well_known['url'], exc.message)))
        return None


def address_outcome(result):
    """``{status, m_server, error}`` of one address's well-known fetch (pure).

    ``m_server`` is the delegation a peer gets from it (``None``: none),
    ``error`` the code saying why there is none (``None`` with a delegation).
    """
    problems = []
    delegated = well_known_delegation(result, problems)
    if delegated is not None:
        return {'status': result.get('status'), 'm_server': result['json']['m.server'], 'error': None}
    codes = [p['code'] for p in problems if p['code'] not in ('WELLKNOWN_BROKEN',)]
    code = result['error']['code'] if result.get('error') else (codes[0] if codes else 'WELLKNOWN_NO_M_SERVER')
    return {'status': result.get('status'), 'm_server': None, 'error': code}


def _fallback_text(host, srv):
    """Where peers without a delegation go: the server name's SRV records, else ``host:8448``."""
    fed_name, legacy_name = srv_names(host)
    if fed_name not in srv:
        return '%s:%d' % (host, DEFAULT_FEDERATION_PORT)
    choice = choose_srv(srv[fed_name], srv[legacy_name])
    if choice is None:
        return '%s:%d' % (host, DEFAULT_FEDERATION_PORT)
    name = fed_name if choice == 'fed' else legacy_name
    if srv[name]['error']:
        return 'SRV %s (which fails: %s)' % (name, srv[name]['error']['code'])
    return 'SRV %s (%s)' % (name, _srv_text(srv[name]['records']))


def _srv_text(records):
    return ', '.join('%s:%s' % (r['target'], r['port']) for r in records)


def _outcome_text(outcome):
    if outcome['m_server'] is not None:
        return 'are delegated to %s' % outcome['m_server']
    return 'get no delegation (%s%s)' % (outcome['error'], ', HTTP %s' % outcome['status'] if outcome['status'] else '')


def address_differences(by_address, m_server, fallback):
    """The ``WELLKNOWN_ADDRESS_DIFFERS`` warning when the addresses of the host do not give the same delegation.

    ``by_address`` is ``{ip: address_outcome}``, ``m_server`` the delegation
    homeservers got (``None``: none), ``fallback`` where peers without one
    go. ``None`` when every address gives the same delegation (pure).
    """
    odd = [(ip, outcome) for ip, outcome in by_address.items() if outcome['m_server'] != m_server]
    if not odd or len(by_address) < 2:
        return None
    parts = []
    for ip, outcome in odd:
        text = 'peers that reach %s %s' % (ip, _outcome_text(outcome))
        if outcome['m_server'] is None:
            text += ' and fall back to %s' % fallback
        parts.append(text)
    same = sorted(ip for ip in by_address if by_address[ip]['m_server'] == m_server)
    what = ('are delegated to %s' % m_server) if m_server is not None else 'get no delegation (fall back to %s)' % fallback
    return finding('WELLKNOWN_ADDRESS_DIFFERS', '%s, while peers that reach %s %s: serve the same well-known on '
                   'every address of the host (A and AAAA)' % ('; '.join(parts), ', '.join(same) or 'no other address',
                                                               what))


def _http_error_warning(well_known, fallback):
    """``WELLKNOWN_HTTP_ERROR``: a status other than 200 and 404 (or a broken HTTP answer), else ``None``."""
    error = well_known.get('error') or {}
    if error.get('code') not in _HTTP_ERRORS or well_known.get('status') == 404:
        return None
    status = well_known.get('status')
    hint = ''
    if status == 403:
        hint = ('; a 403 often comes from a WAF or bot filter refusing the User-Agent: test with the user_agent '
                'option (e.g. "Synapse/1.120.0") and let homeservers through')
    elif status is not None and 500 <= status < 600:
        hint = '; peers that still hold a delegation keep it until it expires, the others fall back'
    answer = 'HTTP %s' % status if status else 'no valid HTTP answer'
    return finding('WELLKNOWN_HTTP_ERROR', '%s (%s): homeservers take it as no delegation, fall back to %s and keep '
                   'that for up to %d h%s' % (error.get('message'), answer, fallback, WELL_KNOWN_ERROR_CACHE_S // 3600,
                                              hint))


def _cache_warning(well_known, m_server):
    """``WELLKNOWN_CACHE_LONG``: the answer asks peers to keep the delegation over 48 h, else ``None``."""
    cache = well_known.get('cache') or {}
    requested = cache.get('requested_s')
    if m_server is None or requested is None or requested <= WELL_KNOWN_MAX_CACHE_S:
        return None
    return finding('WELLKNOWN_CACHE_LONG', '%s asks peers to keep the delegation to %s for %.1f h (%s): Synapse keeps it '
                   '%d h at most, other homeservers may keep it as long as asked, and a change of m.server reaches '
                   'them only then; send Cache-Control: max-age of a few hours'
                   % (well_known.get('url'), m_server, requested / 3600.0, cache.get('source'),
                      WELL_KNOWN_MAX_CACHE_S // 3600))


def _srv_ignored(host, srv, m_server):
    """``SRV_IGNORED``: the server name has SRV records, but the well-known delegation decided; else ``None``."""
    present = [(name, srv[name]['records']) for name in srv_names(host) if name in srv and srv[name]['records']]
    if not present:
        return None
    records = '; '.join('%s -> %s' % (name, _srv_text(found)) for name, found in present)
    return finding('SRV_IGNORED', '%s: ignored, because the well-known delegates to %s (the spec uses SRV records of '
                   'the server name only when there is no well-known delegation); remove them, or publish SRV '
                   'records for the delegated name instead' % (records, m_server))


def _normalise_host(name):
    return str(name or '').lower().rstrip('.')


def check_srv_records(domain, dns, expected=None):
    """Look up both Matrix SRV names of ``domain`` and judge them (for ``matrix_srv_check``).

    Returns ``{domain, records: {srv_name: [{priority, weight, port, target,
    addresses, cname}]}, service, effective, errors, federation_warnings}``.
    ``service`` is the SRV name homeservers use (``_matrix-fed`` first, the
    legacy name only when the first has no records), ``effective`` its
    records in RFC 2782 order. Errors: lookup errors, a ``.`` target, a CNAME
    target, a target without addresses, a mismatch with ``expected``
    (``{target, port}``).
    """
    errors, warnings = [], []
    result = {'domain': domain, 'records': {}, 'service': None, 'effective': [], 'errors': errors,
              'federation_warnings': warnings}
    srv = _lookup_both_srv(dns, domain)
    fed_name, legacy_name = srv_names(domain)
    for name in (fed_name, legacy_name):
        result['records'][name] = [dict(r, addresses=[], cname=[]) for r in srv[name]['records']]
        if _too_many_records(name, srv[name]):
            warnings.append(_too_many_records(name, srv[name]))
    choice = choose_srv(srv[fed_name], srv[legacy_name])
    chosen_name = {'fed': fed_name, 'legacy': legacy_name}.get(choice)
    if chosen_name and srv[chosen_name]['error']:
        errors.append(srv[chosen_name]['error'])
    elif chosen_name:
        result['service'] = chosen_name
    if choice == 'legacy' and result['service']:
        warnings.append(finding('SRV_LEGACY_ONLY', '%s has only the deprecated %s SRV record: add %s (same target and '
                                'port)' % (domain, legacy_name, fed_name)))
    records = [r for name in (fed_name, legacy_name) for r in result['records'][name] if r['target'] != '.']
    answers = run_parallel([lambda r=r: dns.resolve_host(r['target']) for r in records])
    for record, (answer, exc) in zip(records, answers):
        if answer is not None:
            record['addresses'], too_many = bounded_addresses(answer)
            record['cname'] = answer['cname']
            if too_many and too_many not in warnings:
                warnings.append(too_many)
    if result['service']:
        effective = result['effective'] = result['records'][result['service']]
        if len(effective) == 1 and effective[0]['target'] == '.':
            errors.append(finding('SRV_SERVICE_UNAVAILABLE', '%s has the single target ".": federation is declared '
                                  'unavailable' % result['service']))
        for record in effective:
            if record['target'] == '.':
                continue
            if record['cname']:
                errors.append(finding('SRV_TARGET_CNAME', 'SRV target %s is a CNAME (%s): RFC 2782 and the Matrix spec '
                                      'forbid it; use the canonical name' % (record['target'], ' -> '.join(record['cname']))))
            if not record['addresses']:
                answer = dns.resolve_host(record['target'])
                errors.append(answer['error'] or finding('DNS_NO_ADDRESSES', '%s has no addresses' % record['target']))
    if expected:
        want_target = _normalise_host(expected.get('target'))
        want_port = expected.get('port')
        match = any((not want_target or _normalise_host(r['target']) == want_target)
                    and (want_port is None or r['port'] == int(want_port)) for r in result['effective'])
        if not match:
            found = ', '.join('%s:%s' % (r['target'], r['port']) for r in result['effective']) or 'no records'
            errors.append(finding('SRV_EXPECTED_MISMATCH', 'SRV records of %s point to %s, expected %s:%s'
                                  % (domain, found, want_target or '*', want_port if want_port is not None else '*')))
    return result
