# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A loopback federation lab: every row of the resolution table and every check.

Hosts live in ``lab.test`` on a random ``127.R.S.0/24`` (so parallel test
runs do not collide) with real ports 443 and 8448. ``FederationLab.expect``
maps each server name to what the tester must report.
"""

import email.utils
import socket
import time

import pytest

from ansible_collections.matrix.federation.tests.unit.servers.lab import (
    KEY_PATH, VERSION_PATH, WELL_KNOWN, HttpsSite, LoopbackLab, Reply, SigningIdentity,
    has_ipv6_loopback, key_response, keys_route, lab_prefix, version_route,
)

ZONE = 'lab.test'
MEDIA_PREFIX = '/_matrix/federation/v1/media/download/'


class PrefixRoutes(dict):
    """A site's routes where a key ending in ``/`` also answers every path below it (media IDs are random)."""

    def get(self, path, default=None):  # pylint: disable=arguments-differ
        if path in self:
            return self[path]
        for key, value in self.items():
            if key.endswith('/') and path.startswith(key):
                return value
        return default


def media_route(expect_host, reply=None):
    """The unauthenticated media download as a homeserver answers it (401 M_UNAUTHORIZED), or ``reply``."""
    def route(handler):
        if handler.headers.get('Host') != expect_host:
            return Reply(404, b'<html>no such vhost</html>', 'text/html')
        return reply or Reply(401, {'errcode': 'M_UNAUTHORIZED', 'error': 'Missing Authorization headers'})
    return route


def expires_in(seconds, **reply):
    """A well-known answer whose ``Expires`` is ``seconds`` after the moment it is sent."""
    def route(dummy):
        headers = {'Expires': email.utils.formatdate(time.time() + seconds, usegmt=True)}
        return Reply(headers=headers, **reply)
    return route


def free_port(ip):
    family = socket.AF_INET6 if ':' in ip else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.bind((ip, 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


class FederationLab(LoopbackLab):
    """Builds the DNS zone, the CA and every HTTPS site; ``close()`` stops them."""

    def __init__(self, directory):
        super().__init__(directory, lab_prefix(20, 250))
        self.expect = {}
        self.labels = {}
        self.sites_by_name = {}
        self.ipv6 = has_ipv6_loopback()
        self.build()

    # -- helpers -------------------------------------------------------------
    def host(self, name, *addresses):
        for address in addresses:
            self.dns.add(name, 'AAAA' if ':' in address else 'A', address)
        return addresses[0] if addresses else None

    def site(self, ip, port, names, routes, ca=None, keep_alive=True, **cert_kwargs):
        cert, key = (ca or self.ca).issue(names, **cert_kwargs)
        site = HttpsSite(ip, port, cert, key, routes, keep_alive=keep_alive)
        site.routes = PrefixRoutes(site.routes)
        self.sites.append(site)
        return site

    def homeserver(self, ip, port, server_name, host_header, cert_names, key_kwargs=None, version=True,
                   keep_alive=True, media=None, **cert_kwargs):
        identity = self.identities.setdefault(server_name, SigningIdentity())
        routes = {KEY_PATH: keys_route(key_response(server_name, identity, **(key_kwargs or {})), host_header),
                  MEDIA_PREFIX: media_route(host_header, media)}
        if version:
            routes[VERSION_PATH] = version_route(host_header)
        site = self.site(ip, port, cert_names, routes, keep_alive=keep_alive, **cert_kwargs)
        self.sites_by_name.setdefault(server_name, []).append(site)
        return site

    def well_known(self, ip, name, body, **reply):
        return self.site(ip, 443, [name], {WELL_KNOWN: Reply(body=body, **reply)})

    def want(self, server_name, method, host_header, sni, targets, ok=True, errors=(), warnings=(), timeout=5.0,
             delegated=None, label=None):
        label = label or server_name.split('.')[0]
        self.labels[label] = server_name
        self.expect[server_name] = {'label': label, 'method': method, 'host_header': host_header, 'sni': sni, 'targets': targets,
                                    'ok': ok, 'errors': set(errors), 'warnings': set(warnings), 'timeout': timeout,
                                    'delegated': delegated}

    def n(self, label):
        return '%s.%s' % (label, ZONE)

    # -- the scenarios -------------------------------------------------------
    def build(self):  # pylint: disable=too-many-statements
        n = self.n
        # 1: IP literal, default port, no SNI, cert for the IP.
        ip = self.ip()
        self.homeserver(ip, 8448, ip, ip, [ip])
        self.want(ip, 'ip_literal', ip, None, [(ip, 8448)], label='ip_literal_v4')
        # 1 (IPv6 literal with port).
        if self.ipv6:
            port = free_port('::1')
            name = '[::1]:%d' % port
            self.homeserver('::1', port, name, name, ['::1'])
            self.want(name, 'ip_literal', name, None, [('::1', port)], label='ip_literal_v6')
        # 2: explicit port.
        name = n('explicit') + ':8443'
        ip = self.host(n('explicit'), self.ip())
        self.homeserver(ip, 8443, name, name, [n('explicit')])
        self.want(name, 'explicit_port', name, n('explicit'), [(n('explicit'), 8443)])
        # 2, behind a server that closes every connection after one answer (no keep-alive).
        name = n('closing') + ':8443'
        ip = self.host(n('closing'), self.ip())
        self.homeserver(ip, 8443, name, name, [n('closing')], keep_alive=False)
        self.want(name, 'explicit_port', name, n('closing'), [(n('closing'), 8443)])
        # 3.1: well-known -> IP:port.
        delegate_ip = self.ip()
        self.well_known(self.host(n('wkip'), self.ip()), n('wkip'), {'m.server': delegate_ip + ':8448'})
        self.homeserver(delegate_ip, 8448, n('wkip'), delegate_ip + ':8448', [delegate_ip])
        self.want(n('wkip'), 'well_known_ip', delegate_ip + ':8448', None, [(delegate_ip, 8448)], delegated=delegate_ip)
        # 3.2: well-known -> host:port.
        self.well_known(self.host(n('wkport'), self.ip()), n('wkport'), {'m.server': n('hs-wkport') + ':8443'})
        self.homeserver(self.host(n('hs-wkport'), self.ip()), 8443, n('wkport'), n('hs-wkport') + ':8443', [n('hs-wkport')])
        self.want(n('wkport'), 'well_known_port', n('hs-wkport') + ':8443', n('hs-wkport'), [(n('hs-wkport'), 8443)],
                  delegated=n('hs-wkport'))
        # 3.3: well-known -> host, SRV _matrix-fed; cert for the delegated host, not the target.
        self.well_known(self.host(n('wksrv'), self.ip()), n('wksrv'), {'m.server': n('hs-wksrv')},
                        content_type='text/plain')
        self.dns.add('_matrix-fed._tcp.' + n('hs-wksrv'), 'SRV', '10 5 8450 %s.' % n('target-wksrv'))
        self.homeserver(self.host(n('target-wksrv'), self.ip()), 8450, n('wksrv'), n('hs-wksrv'), [n('hs-wksrv')])
        self.want(n('wksrv'), 'well_known_srv', n('hs-wksrv'), n('hs-wksrv'), [(n('target-wksrv'), 8450)],
                  delegated=n('hs-wksrv'))
        # 3.4: well-known -> host, legacy SRV only.
        self.well_known(self.host(n('wklegacy'), self.ip()), n('wklegacy'), {'m.server': n('hs-wklegacy')})
        self.dns.add('_matrix._tcp.' + n('hs-wklegacy'), 'SRV', '10 5 8451 %s.' % n('target-wklegacy'))
        self.homeserver(self.host(n('target-wklegacy'), self.ip()), 8451, n('wklegacy'), n('hs-wklegacy'),
                        [n('hs-wklegacy')])
        self.want(n('wklegacy'), 'well_known_srv_legacy', n('hs-wklegacy'), n('hs-wklegacy'),
                  [(n('target-wklegacy'), 8451)], warnings=['SRV_LEGACY_ONLY'], delegated=n('hs-wklegacy'))
        # 3.5: well-known -> host, no SRV: host:8448.
        self.well_known(self.host(n('wkdefault'), self.ip()), n('wkdefault'), {'m.server': n('hs-wkdefault')})
        self.homeserver(self.host(n('hs-wkdefault'), self.ip()), 8448, n('wkdefault'), n('hs-wkdefault'),
                        [n('hs-wkdefault')])
        self.want(n('wkdefault'), 'well_known_default', n('hs-wkdefault'), n('hs-wkdefault'),
                  [(n('hs-wkdefault'), 8448)], delegated=n('hs-wkdefault'))
        # 4: no well-known (nothing on 443), SRV _matrix-fed; cert for the server name.
        self.host(n('srv'), self.ip())
        self.dns.add('_matrix-fed._tcp.' + n('srv'), 'SRV', '10 5 8452 %s.' % n('target-srv'))
        self.homeserver(self.host(n('target-srv'), self.ip()), 8452, n('srv'), n('srv'), [n('srv')])
        self.want(n('srv'), 'srv', n('srv'), n('srv'), [(n('target-srv'), 8452)])
        # 5: legacy SRV only.
        self.dns.add('_matrix._tcp.' + n('srvlegacy'), 'SRV', '10 5 8453 %s.' % n('target-srvlegacy'))
        self.homeserver(self.host(n('target-srvlegacy'), self.ip()), 8453, n('srvlegacy'), n('srvlegacy'),
                        [n('srvlegacy')])
        self.want(n('srvlegacy'), 'srv_legacy', n('srvlegacy'), n('srvlegacy'), [(n('target-srvlegacy'), 8453)],
                  warnings=['SRV_LEGACY_ONLY'])
        # 6: default: well-known 404, no SRV, host:8448.
        ip = self.host(n('default'), self.ip())
        self.site(ip, 443, [n('default')], {})
        self.homeserver(ip, 8448, n('default'), n('default'), [n('default')])
        self.want(n('default'), 'default', n('default'), n('default'), [(n('default'), 8448)])

        # Well-known that is there but broken: fall through to 8448 with a warning.
        for label, reply, warning in (
                ('wkhtml', {'body': b'<!DOCTYPE html><html><body>hi</body></html>', 'content_type': 'text/html'},
                 'WELLKNOWN_HTML'),
                ('wkbadjson', {'body': b'{"m.server": ', 'content_type': 'application/json'}, 'WELLKNOWN_BROKEN'),
                ('wkhuge', {'body': b'{"m.server": "x", "pad": "' + b'a' * 60000 + b'"}'}, 'WELLKNOWN_BROKEN'),
                ('wknomserver', {'body': {'m.homeserver': 'x'}}, 'WELLKNOWN_NO_M_SERVER'),
                ('wkinvalid', {'body': {'m.server': 'bad name!'}}, 'WELLKNOWN_INVALID_M_SERVER'),
        ):
            ip = self.host(n(label), self.ip())
            self.well_known(ip, n(label), **reply)
            self.homeserver(ip, 8448, n(label), n(label), [n(label)])
            self.want(n(label), 'default', n(label), n(label), [(n(label), 8448)], warnings=[warning])
        # Redirect (one hop, relative Location) to a valid delegation.
        ip = self.host(n('wkredirect'), self.ip())
        self.site(ip, 443, [n('wkredirect')], {
            WELL_KNOWN: Reply(302, b'', headers={'Location': '/moved'}),
            '/moved': Reply(body={'m.server': n('hs-wkredirect') + ':8443'})})
        self.homeserver(self.host(n('hs-wkredirect'), self.ip()), 8443, n('wkredirect'), n('hs-wkredirect') + ':8443',
                        [n('hs-wkredirect')])
        self.want(n('wkredirect'), 'well_known_port', n('hs-wkredirect') + ':8443', n('hs-wkredirect'),
                  [(n('hs-wkredirect'), 8443)], delegated=n('hs-wkredirect'))
        # Redirect loop and a too-long chain: warning, fall through.
        ip = self.host(n('wkloop'), self.ip())
        self.site(ip, 443, [n('wkloop')], {WELL_KNOWN: Reply(301, b'', headers={'Location': '/a'}),
                                           '/a': Reply(302, b'', headers={'Location': WELL_KNOWN})})
        self.homeserver(ip, 8448, n('wkloop'), n('wkloop'), [n('wkloop')])
        self.want(n('wkloop'), 'default', n('wkloop'), n('wkloop'), [(n('wkloop'), 8448)], warnings=['WELLKNOWN_BROKEN'])
        ip = self.host(n('wkchain'), self.ip())
        chain = {WELL_KNOWN: Reply(302, b'', headers={'Location': '/r/11'})}
        for hop in range(11, 0, -1):
            chain['/r/%d' % hop] = Reply(302, b'', headers={'Location': '/r/%d' % (hop - 1)})
        self.site(ip, 443, [n('wkchain')], chain)
        self.homeserver(ip, 8448, n('wkchain'), n('wkchain'), [n('wkchain')])
        self.want(n('wkchain'), 'default', n('wkchain'), n('wkchain'), [(n('wkchain'), 8448)],
                  warnings=['WELLKNOWN_BROKEN'])
        # Well-known behind a certificate for another name: ignored (homeservers verify it).
        ip = self.host(n('wkbadcert'), self.ip())
        self.site(ip, 443, [n('other')], {WELL_KNOWN: Reply(body={'m.server': n('nowhere') + ':1'})})
        self.homeserver(ip, 8448, n('wkbadcert'), n('wkbadcert'), [n('wkbadcert')])
        self.want(n('wkbadcert'), 'default', n('wkbadcert'), n('wkbadcert'), [(n('wkbadcert'), 8448)],
                  warnings=['WELLKNOWN_BROKEN'])
        # Slow well-known: times out, falls through; run with a short timeout.
        ip = self.host(n('wkslow'), self.ip())
        self.site(ip, 443, [n('wkslow')], {WELL_KNOWN: Reply(body={'m.server': n('nowhere') + ':1'}, delay=4)})
        self.homeserver(ip, 8448, n('wkslow'), n('wkslow'), [n('wkslow')])
        self.want(n('wkslow'), 'default', n('wkslow'), n('wkslow'), [(n('wkslow'), 8448)], warnings=['WELLKNOWN_BROKEN'],
                  timeout=1.5)

        # Key and certificate checks (explicit ports keep them short).
        def keys_case(label, errors=(), warnings=(), key_kwargs=None, ok=None, cert_names=None, **cert_kwargs):
            name = n(label) + ':8443'
            ip = self.host(n(label), self.ip())
            self.homeserver(ip, 8443, name, name, cert_names or [n(label)], key_kwargs=key_kwargs, **cert_kwargs)
            self.want(name, 'explicit_port', name, n(label), [(n(label), 8443)], ok=not errors if ok is None else ok,
                      errors=errors, warnings=warnings)
            return ip

        keys_case('wrongname', ['KEYS_SERVER_NAME_MISMATCH'], key_kwargs={'publish_name': n('other')})
        keys_case('expired', ['KEYS_VALID_UNTIL_PAST'], key_kwargs={'valid_for_ms': -60000})
        keys_case('expiring', warnings=['KEYS_EXPIRING_SOON'], key_kwargs={'valid_for_ms': 1800000})
        keys_case('badsig', ['KEYS_SIGNATURE_INVALID'], key_kwargs={'signer': SigningIdentity()})
        keys_case('nokey', ['KEYS_NO_ED25519_KEY'], key_kwargs={'verify_keys': {}})
        keys_case('shortkey', ['KEYS_ED25519_KEY_INVALID'], key_kwargs={'verify_keys': {'ed25519:a_lab': {'key': 'AAAA'}}})
        keys_case('certexpired', ['CERT_EXPIRED'], days_valid=-1, days_ago=30)
        keys_case('certexpiring', warnings=['CERT_EXPIRING_SOON'], days_valid=5)
        keys_case('untrusted', ['CERT_UNTRUSTED'], ca=self.rogue_ca)
        keys_case('certwrongname', ['CERT_NAME_MISMATCH'], cert_names=[n('other')])
        # SRV delegation where the certificate covers only the SRV target.
        self.dns.add('_matrix-fed._tcp.' + n('certsrv'), 'SRV', '10 5 8454 %s.' % n('target-certsrv'))
        self.homeserver(self.host(n('target-certsrv'), self.ip()), 8454, n('certsrv'), n('certsrv'),
                        [n('target-certsrv')])
        self.want(n('certsrv'), 'srv', n('certsrv'), n('certsrv'), [(n('target-certsrv'), 8454)], ok=False,
                  errors=['CERT_NAME_MISMATCH'])
        # Key endpoint problems.
        for label, reply, code in (
                ('keys404', Reply(404, b'<html>not found</html>', 'text/html'), 'KEYS_HTTP_STATUS'),
                ('keysbadjson', Reply(200, b'{"server_name":', 'application/json'), 'KEYS_INVALID_JSON'),
                ('keyshuge', Reply(200, b'{"a": "' + b'x' * (600 * 1024) + b'"}'), 'KEYS_TOO_LARGE'),
                ('keysslow', Reply(200, {}, delay=4), 'KEYS_TIMEOUT'),
        ):
            name = n(label) + ':8443'
            ip = self.host(n(label), self.ip())
            self.site(ip, 8443, [n(label)], {KEY_PATH: reply, VERSION_PATH: version_route(name)})
            self.want(name, 'explicit_port', name, n(label), [(n(label), 8443)], ok=False, errors=[code],
                      timeout=1.5 if label == 'keysslow' else 5.0)
        # Version endpoint missing.
        name = n('noversion') + ':8443'
        ip = self.host(n('noversion'), self.ip())
        self.homeserver(ip, 8443, name, name, [n('noversion')], version=False)
        self.want(name, 'explicit_port', name, n('noversion'), [(n('noversion'), 8443)], ok=False,
                  errors=['VERSION_FAILED'])

        # DNS and reachability.
        name = n('unreachable') + ':8443'
        self.host(n('unreachable'), self.ip())
        self.want(name, 'explicit_port', name, n('unreachable'), [(n('unreachable'), 8443)], ok=False,
                  errors=['CONNECTION_REFUSED'])
        self.want(n('nxdomain') + ':8443', 'explicit_port', n('nxdomain') + ':8443', n('nxdomain'),
                  [(n('nxdomain'), 8443)], ok=False, errors=['DNS_NO_ADDRESSES'])
        self.want(n('nxdomain'), 'default', n('nxdomain'), n('nxdomain'), [(n('nxdomain'), 8448)], ok=False,
                  errors=['DNS_NO_ADDRESSES'], label='nxdomain_default')
        self.dns.servfail.update([n('servfail'), '_matrix-fed._tcp.' + n('servfail'), '_matrix._tcp.' + n('servfail')])
        self.want(n('servfail'), 'srv', n('servfail'), n('servfail'), [], ok=False, errors=['DNS_SERVFAIL'],
                  warnings=['WELLKNOWN_BROKEN'])
        self.dns.slow[n('slowdns')] = 4
        self.host(n('slowdns'), self.ip())
        self.want(n('slowdns') + ':8443', 'explicit_port', n('slowdns') + ':8443', n('slowdns'),
                  [(n('slowdns'), 8443)], ok=False, errors=['DNS_TIMEOUT'], timeout=1.5)
        self.dns.add('_matrix-fed._tcp.' + n('srvdot'), 'SRV', '0 0 0 .')
        self.homeserver(self.host(n('srvdot'), self.ip()), 8448, n('srvdot'), n('srvdot'), [n('srvdot')])
        self.want(n('srvdot'), 'srv', n('srvdot'), n('srvdot'), [], ok=False, errors=['SRV_SERVICE_UNAVAILABLE'])
        self.dns.add('_matrix-fed._tcp.' + n('srvcname'), 'SRV', '10 5 8455 %s.' % n('alias-srvcname'))
        self.dns.add(n('alias-srvcname'), 'CNAME', n('real-srvcname'))
        self.homeserver(self.host(n('real-srvcname'), self.ip()), 8455, n('srvcname'), n('srvcname'), [n('srvcname')])
        self.want(n('srvcname'), 'srv', n('srvcname'), n('srvcname'), [(n('alias-srvcname'), 8455)],
                  warnings=['SRV_TARGET_CNAME'])
        # Two SRV targets in different priorities, both tested.
        self.dns.add('_matrix-fed._tcp.' + n('srvtwo'), 'SRV', '20 0 8456 %s.' % n('b-srvtwo'),
                     '10 0 8456 %s.' % n('a-srvtwo'))
        for label in ('a-srvtwo', 'b-srvtwo'):
            self.homeserver(self.host(n(label), self.ip()), 8456, n('srvtwo'), n('srvtwo'), [n('srvtwo')])
        self.want(n('srvtwo'), 'srv', n('srvtwo'), n('srvtwo'), [(n('a-srvtwo'), 8456), (n('b-srvtwo'), 8456)])
        if self.ipv6:
            # Dual stack: A and AAAA both tested; then only IPv4 working.
            port = free_port('::1')
            name = n('dual') + ':%d' % port
            ip4 = self.host(n('dual'), self.ip(), '::1')
            self.homeserver(ip4, port, name, name, [n('dual')])
            self.homeserver('::1', port, name, name, [n('dual')])
            self.want(name, 'explicit_port', name, n('dual'), [(n('dual'), port)])
            port = free_port('::1')
            name = n('v4only') + ':%d' % port
            ip4 = self.host(n('v4only'), self.ip(), '::1')
            self.homeserver(ip4, port, name, name, [n('v4only')])
            self.want(name, 'explicit_port', name, n('v4only'), [(n('v4only'), port)],
                      warnings=['IP_FAMILY_PARTIAL', 'CONNECTION_REFUSED'])
        self.build_every_address()
        # Invalid server names.
        for index, bad in enumerate(('bad name', 'example.org:99999', '[::1', 'a..b', 'x' * 64 + '.org', '')):
            self.want(bad, None, None, None, [], ok=False, errors=['INVALID_SERVER_NAME'], label='invalid%d' % index)

    def delegated(self, label, wk_ips, reply=None, warnings=(), **want):
        """``label``'s well-known on ``wk_ips`` (443) delegates to ``hs-<label>:8443``, a working homeserver."""
        n = self.n
        hs = n('hs-' + label) + ':8443'
        for ip in wk_ips:
            self.host(n(label), ip)
            self.site(ip, 443, [n(label)], {WELL_KNOWN: reply or Reply(body={'m.server': hs})})
        self.homeserver(self.host(n('hs-' + label), self.ip()), 8443, n(label), hs, [n('hs-' + label)])
        self.want(n(label), 'well_known_port', hs, n('hs-' + label), [(n('hs-' + label), 8443)], warnings=warnings,
                  delegated=n('hs-' + label), **want)
        return hs

    def build_every_address(self):
        """Every address of the well-known host, both families, and what the tester ignores (and says so)."""
        n = self.n
        # Two addresses (two IPv4 loopback ones stand in for any two): the first delegates, the second has no
        # well-known (a web server's 404): peers that reach it fall back to port 8448.
        first, second = self.ip(), self.ip()
        self.delegated('wkdiffer', [first], warnings=['WELLKNOWN_ADDRESS_DIFFERS'])
        self.host(n('wkdiffer'), second)
        self.site(second, 443, [n('wkdiffer')], {})
        if self.ipv6:
            # IPv4 delegates, nothing listens on [::1]:443: IPv6-only peers get no delegation.
            self.delegated('wkv6', [self.ip()], warnings=['WELLKNOWN_ADDRESS_DIFFERS', 'IP_FAMILY_PARTIAL'])
            self.host(n('wkv6'), '::1')
        # SRV records of the server name beside a delegation: the delegation decides, the SRV is ignored.
        self.delegated('wksrvignored', [self.ip()], warnings=['SRV_IGNORED'])
        self.dns.add('_matrix-fed._tcp.' + n('wksrvignored'), 'SRV', '10 5 8448 %s.' % n('old-wksrvignored'))
        # The well-known answering an HTTP error: no delegation, fall back to 8448 (served there).
        for label, status in (('wk403', 403), ('wk503', 503)):
            ip = self.host(n(label), self.ip())
            self.site(ip, 443, [n(label)], {WELL_KNOWN: Reply(status, b'<html>denied</html>', 'text/html')})
            self.homeserver(ip, 8448, n(label), n(label), [n(label)])
            self.want(n(label), 'default', n(label), n(label), [(n(label), 8448)], warnings=['WELLKNOWN_HTTP_ERROR'])
        # How long peers keep the delegation.
        for label, reply, warnings in (
                ('wkcachelong', {'headers': {'Cache-Control': 'public, max-age=604800'}}, ['WELLKNOWN_CACHE_LONG']),
                ('wknostore', {'headers': {'Cache-Control': 'no-store'}}, []),
                ('wkmaxage', {'headers': {'Cache-Control': 'max-age=3600', 'Expires': 'Thu, 01 Jan 1970 00:00:00 GMT'}},
                 []),
        ):
            self.delegated(label, [self.ip()], Reply(body={'m.server': n('hs-' + label) + ':8443'}, **reply),
                           warnings=warnings)
        self.delegated('wkexpires', [self.ip()], expires_in(7200, body={'m.server': n('hs-wkexpires') + ':8443'}))
        # The media route behind a proxy answering HTML, and a homeserver without authenticated media.
        for label, media, warning in (
                ('mediahtml', Reply(404, b'<html><body>404 Not Found</body></html>', 'text/html'),
                 'MEDIA_ROUTE_NOT_HOMESERVER'),
                ('mediaempty', Reply(502, b'', None), 'MEDIA_ROUTE_NOT_HOMESERVER'),
                ('mediaunrecognized', Reply(404, {'errcode': 'M_UNRECOGNIZED', 'error': 'Unrecognized request'}),
                 'MEDIA_FEDERATION_UNSUPPORTED'),
        ):
            name = n(label) + ':8443'
            self.homeserver(self.host(n(label), self.ip()), 8443, name, name, [n(label)], media=media)
            self.want(name, 'explicit_port', name, n(label), [(n(label), 8443)], warnings=[warning])


@pytest.fixture(scope='session')
def federation_lab(tmp_path_factory):
    """One lab for the whole test session."""
    lab = FederationLab(str(tmp_path_factory.mktemp('federation-lab')))
    yield lab
    lab.close()
