#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: matrix_federation_test
short_description: Test Matrix federation with a server as other homeservers see it
version_added: 0.1.0
description:
  - Resolves O(server_name) exactly as the Matrix Server-Server API specifies (IP literal, explicit port,
    C(.well-known/matrix/server) delegation, C(_matrix-fed._tcp) and legacy C(_matrix._tcp) SRV records,
    port 8448) and tests every resolved address (A and AAAA) on its own and concurrently.
  - For each C(ip:port) it checks TLS (version, cipher, certificate chain and name for the name the spec
    requires), fetches C(/_matrix/key/v2/server) with the right C(Host) header and runs the checks of
    matrix-org's federation tester (MatchingServerName, FutureValidUntilTS, HasEd25519Key,
    AllEd25519ChecksOK, ValidCertificates), and fetches C(/_matrix/federation/v1/version).
  - Runs from wherever the task runs, so a task delegated to a homeserver tests its outbound view.
  - Returns a report whose keys are a superset of the Go tester's report, in snake_case.
    Error and warning codes are listed in the collection's C(docs/errors.md).
  - With O(server_names) one run tests many servers concurrently (at most O(concurrency) at a time), sharing
    DNS answers and TLS set-up, and returns one such report per server in RV(reports) plus a RV(summary).
author:
  - matrix.federation contributors (@matrix-federation)
options:
  server_name:
    description:
      - The server name as it appears in user IDs. IP literals and ports are allowed.
      - Exactly one of O(server_name) and O(server_names) is required.
    type: str
  server_names:
    description:
      - Several server names to test in one run, concurrently. The result has RV(reports) keyed by server name,
        each the report a run with O(server_name) gives, and RV(summary).
      - Each server has its own time limit (O(timeout) from its start); a slow, stalled, huge, looping or
        unreachable server never holds up or fails the others, and their reports are ready while it is still
        running. Duplicates are tested once.
    type: list
    elements: str
  concurrency:
    description:
      - With O(server_names), how many servers are tested at the same time.
    type: int
    default: 32
  processes:
    description:
      - With O(server_names), over how many processes the list is spread, so that a long list uses more than one
        CPU core of the host the task runs on. They share O(concurrency) (each tests its share, round robin over
        the list) and the reports are the same as from one process.
      - When not set, one process per CPU core this task may use (at most 8), and only when each gets at least
        32 servers; shorter lists run in one process. V(1) keeps the run in one process.
      - A process that ends unexpectedly (killed, out of memory) costs only the reports it had not written yet;
        those servers fail with C(INTERNAL_ERROR), the others are reported as usual.
    type: int
    version_added: 0.2.0
  expected_keys:
    description:
      - 'Verify keys the server must publish, as C({"ed25519:<id>": "<unpadded base64 public key>"}).'
      - The test fails when a key is missing, differs, or another key is published.
      - With O(server_names), every server is checked against these keys.
    type: dict
  fail_on_error:
    description:
      - Fail the task when federation is broken (with O(server_names), with any of them). The full report
        (or every report) is returned either way.
    type: bool
    default: true
  cert_expiry_warn_days:
    description:
      - Warn when a certificate expires within this many days.
    type: int
    default: 14
  notaries:
    description:
      - Notaries (key servers, Synapse's C(trusted_key_servers), C(matrix.org) by default) to compare with what the
        tested server publishes. Peers that trust a notary ask it for the server's keys instead of the server.
      - 'For each notary the module resolves it as a server name, fetches and verifies its own key over verified
        TLS only, then asks it C(GET /_matrix/key/v2/query/<server>) (what it holds cached, without fetching) and
        C(POST /_matrix/key/v2/query) with C(minimum_valid_until_ts) now for each current key ID (as peers ask; it
        refetches from the server when its cache does not satisfy that). Every answer must be signed by the notary
        and by the server.'
      - Findings (C(NOTARY_*) codes, see the collection's C(docs/errors.md), section Notaries) go to RV(errors) and
        RV(federation_warnings), each message starting with the notary name; a key mismatch is an error, the rest
        are warnings (peers fall back to asking the server directly). Details are in RV(notaries).
      - Notaries are asked after the server's own test, in parallel (at most 8 at a time), in what is left of the
        same O(timeout); a stalled notary never stretches the run.
      - With O(server_names), every server is compared with every notary.
      - A name that is not a server name fails the task before anything is asked.
      - When the server's own keys could not be fetched over verified TLS and verified, no notary is asked; each
        entry of RV(notaries) says why in C(skipped), also shown as a warning.
    type: list
    elements: str
    default: []
    version_added: 0.2.0
notes:
  - O(timeout) is the whole test of one server, down to every byte; a step that others follow (well-known,
    each DNS exchange, connect, TLS handshake) may take a third of it. A test ends within O(timeout) plus
    a fraction of a second.
  - The key and version requests to one C(ip:port) share one connection (pipelined) when the server keeps
    connections open.
  - Coded warnings are returned in RV(federation_warnings); their messages are also shown as Ansible warnings.
  - Requires network access from the host the task runs on to the tested server and its DNS.
  - What the tested side can make one test do is bounded, and going over a bound is reported with a code in
    RV(federation_warnings), never cut silently. At most 10 SRV records per name (the first in RFC 2782
    order, C(SRV_TOO_MANY_RECORDS)), 8 addresses per host with both IP families kept
    (C(DNS_TOO_MANY_ADDRESSES)), 32 C(ip:port) connections per server (C(TOO_MANY_CONNECTIONS)), JSON nested
    at most 64 levels, well-known bodies of 50 KiB and key responses of 512 KiB. Synapse has no such caps
    because it tries targets one after another; see the collection's docs/errors.md, section Limits.
extends_documentation_fragment:
  - matrix.federation.attributes
  - matrix.federation.attributes.INFO_MODULE
  - matrix.federation.network
  - matrix.federation.attributes.NETWORK_GROUP
seealso:
  - module: matrix.federation.matrix_srv_check
  - name: Matrix Server-Server API, resolving server names
    description: The resolution steps this module follows.
    link: https://spec.matrix.org/latest/server-server-api/#resolving-server-names
'''

EXAMPLES = r'''
- name: Test federation with our own server
  matrix.federation.matrix_federation_test:
    server_name: example.org
  register: federation

- name: Test a peer through the lab DNS, trusting the lab CA, without failing
  matrix.federation.matrix_federation_test:
    server_name: peer.example.test
    nameservers:
      - 10.89.0.2
    ca_path: /etc/matrix-lab/ca.pem
    timeout: 5
    fail_on_error: false
  register: peer

- name: Test every peer at once, 64 at a time, and act on the summary
  matrix.federation.matrix_federation_test:
    server_names: "{{ matrix_peers }}"
    concurrency: 64
    fail_on_error: false
  register: peers

- name: Show the peers that do not federate
  ansible.builtin.debug:
    msg: "{{ peers.reports | dict2items | rejectattr('value.federation_ok') | map(attribute='key') | list }}"

- name: Check a long list on a shared checker host with two of its cores (one process each), 64 servers at a time
  matrix.federation.matrix_federation_test:
    server_names: "{{ fleet_server_names }}"
    concurrency: 64
    processes: 2
    fail_on_error: false
  register: fleet

- name: Check that the notaries our peers trust hold our current key
  matrix.federation.matrix_federation_test:
    server_name: example.org
    notaries:
      - matrix.org
  register: federation

- name: Show what matrix.org holds for us
  ansible.builtin.debug:
    var: federation.notaries['matrix.org']

- name: Make sure the served signing key is ours
  matrix.federation.matrix_federation_test:
    server_name: example.org
    expected_keys:
      "ed25519:a_AbCd": "XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI"
'''

RETURN = r'''
federation_ok:
  description:
    - True when every check passed on every reachable address and there are no errors.
    - With O(server_names), true only when that holds for every server.
  returned: always
  type: bool
  sample: true
reports:
  description:
    - With O(server_names), one report per server name, each with the keys a run with O(server_name) returns
      (RV(federation_ok), RV(server_name), RV(resolution), ... RV(duration_ms)).
  returned: when O(server_names) is used
  type: dict
  sample: {example.org: {federation_ok: true, server_name: example.org, resolution: {method: srv}}}
summary:
  description:
    - With O(server_names), counts over the batch. C(by_error_code), C(by_warning_code) and C(by_method)
      count servers (a code counts once per server).
  returned: when O(server_names) is used
  type: dict
  contains:
    total:
      description: Number of servers tested.
      type: int
    by_result:
      description: C({ok, failed}) counts.
      type: dict
    by_error_code:
      description: Number of servers with each error code.
      type: dict
    by_warning_code:
      description: Number of servers with each warning code.
      type: dict
    by_method:
      description: Number of servers per resolution method.
      type: dict
  sample: {total: 3, by_result: {ok: 2, failed: 1}, by_error_code: {CERT_EXPIRED: 1}, by_warning_code: {},
           by_method: {srv: 1, default: 1, well_known_srv: 1}}
server_name:
  description: The tested server name.
  returned: when O(server_name) is used
  type: str
  sample: example.org
resolution:
  description: Where a homeserver connects for this server name, and with which names.
  returned: when O(server_name) is used
  type: dict
  contains:
    server_name:
      description: The tested server name.
      type: str
    method:
      description:
        - Which step of the spec decided, one of V(ip_literal), V(explicit_port), V(well_known_ip),
          V(well_known_port), V(well_known_srv), V(well_known_srv_legacy), V(well_known_default), V(srv),
          V(srv_legacy), V(default); null when the server name is invalid.
      type: str
    delegated_hostname:
      description: The host from C(m.server), or null without delegation.
      type: str
    host_header:
      description: The C(Host) header sent.
      type: str
    sni:
      description: The TLS SNI and certificate name; null for IP literals (no SNI, the certificate must cover the IP).
      type: str
    targets:
      description: Hosts and ports to connect to, each with its C(addresses); SRV targets also carry priority and weight.
      type: list
      elements: dict
  sample:
    server_name: example.org
    method: well_known_srv
    delegated_hostname: matrix.example.org
    host_header: matrix.example.org
    sni: matrix.example.org
    targets: [{host: hs1.example.org, port: 8448, priority: 10, weight: 5, addresses: [192.0.2.10, "2001:db8::10"]}]
well_known_result:
  description:
    - The C(/.well-known/matrix/server) fetch (url, status, headers, content_type, body_text, json, redirects,
      error, warnings) a homeserver gets (the first address of the host that connects); null when the spec does
      not fetch it (IP literal or explicit port).
    - It is also fetched from every address of the host (A and AAAA, at most 8) at once, within the well-known
      phase of the run; C(by_address), C(dns) and C(cache) say what each address answered and how long peers
      keep the answer.
  returned: when O(server_name) is used
  type: dict
  contains:
    by_address:
      description:
        - One entry per address of the host, C({status, m_server, error}) - C(m_server) is the delegation a peer
          reaching that address gets (null for none), C(error) the code saying why there is none (for example
          C(WELLKNOWN_HTTP_STATUS), C(WELLKNOWN_CONNECTION_REFUSED), C(WELLKNOWN_NO_M_SERVER); null with a
          delegation). Addresses that disagree give the warning C(WELLKNOWN_ADDRESS_DIFFERS).
      type: dict
      sample: {192.0.2.1: {status: 200, m_server: "matrix.example.org:443", error: null},
               "2001:db8::1": {status: null, m_server: null, error: WELLKNOWN_CONNECTION_REFUSED}}
    dns:
      description: The addresses of the host that were asked, C({host, ipv4, ipv6, errors}) (C(errors) the A or AAAA lookups that failed).
      type: dict
    cache:
      description:
        - How long peers keep this answer, as Synapse computes it, C({lifetime_s, source, capped, requested_s}).
        - C(source) is V(max-age) or V(no-store) (C(Cache-Control)), V(expires) (C(Expires) against the answer's
          C(Date)), V(default) (a delegation without cache headers, 24 h) or V(error) (no delegation, kept 1 h).
        - Header values are kept within 5 min and 48 h (C(capped) then true, C(requested_s) what the headers asked).
      type: dict
      sample: {lifetime_s: 86400, source: default, capped: false, requested_s: null}
dns_result:
  description:
    - SRV answers of both service names (C(srv)), resolved hosts with addresses and CNAME chains (C(hosts))
      and SRV targets that are CNAMEs (C(cname_targets)).
  returned: when O(server_name) is used
  type: dict
connection_reports:
  description:
    - One report per C(ip:port) that answered, with C(tls), C(certificates), C(certificate_error), C(checks)
      (C(matching_server_name), C(future_valid_until_ts), C(has_ed25519_key), C(all_ed25519_checks_ok),
      C(ed25519_checks), C(valid_certificates), C(all_checks_ok)), C(keys), C(verify_keys), C(valid_until_ts),
      C(version), C(media), C(errors) and C(warnings).
    - C(media) is what the address answered to C(GET /_matrix/federation/v1/media/download/<random id>) without
      authorization (asked on the same connection as the keys and the version), C({status, errcode, verdict}) with
      C(verdict) V(homeserver) (a Matrix error such as 401 C(M_UNAUTHORIZED)), V(unsupported) (C(M_UNRECOGNIZED),
      warning C(MEDIA_FEDERATION_UNSUPPORTED)), V(not_homeserver) (HTML, an empty answer, a redirect; warning
      C(MEDIA_ROUTE_NOT_HOMESERVER)) or V(no_answer) (timeout or a broken connection).
  returned: when O(server_name) is used
  type: dict
families:
  description:
    - What a peer with only IPv4 and a peer with only IPv6 would get, one C({ok, reason}) per family (C(IPv4),
      C(IPv6)) - the well-known over that family's addresses, then the targets' addresses of that family and their
      checks.
    - A family without addresses (no AAAA record) is stated in C(reason), not warned; a family whose addresses
      fail while the other works gives the warning C(IP_FAMILY_PARTIAL).
  returned: when O(server_name) is used
  type: dict
  sample: {IPv4: {ok: true, reason: "192.0.2.10:8448 answers and passes every check"},
           IPv6: {ok: false, reason: "no AAAA record for matrix.example.org"}}
connection_errors:
  description: C({code, message}) for each C(ip:port) that could not be tested.
  returned: when O(server_name) is used
  type: dict
version:
  description: C({name, version}) of the server software, or C({error}).
  returned: when O(server_name) is used
  type: dict
  sample: {name: Synapse, version: 1.163.2}
errors:
  description: Everything that breaks federation, as C({code, message}).
  returned: when O(server_name) is used
  type: list
  elements: dict
  sample: [{code: KEYS_SERVER_NAME_MISMATCH, message: "203.0.113.5:8448: keys are published for server_name 'matrix.example.org', not 'example.org'"}]
federation_warnings:
  description:
    - What silently degrades federation, as C({code, message}).
    - With O(server_names), the warnings of every server, each message starting with the server name.
  returned: always
  type: list
  elements: dict
  sample: [{code: SRV_LEGACY_ONLY, message: "example.org has only the deprecated _matrix._tcp.example.org SRV record"}]
notaries:
  description:
    - With O(notaries), one entry per notary name (the order of O(notaries)). Its findings are also in RV(errors)
      and RV(federation_warnings).
    - With O(server_names), in each report of RV(reports).
  returned: when O(server_name) and O(notaries) are used
  type: dict
  contains:
    reachable:
      description: Whether the notary answered over verified TLS; null when the comparison was skipped.
      type: bool
    skipped:
      description:
        - Why no notary was asked (the server's own keys could not be fetched over verified TLS and verified, so
          there is nothing to compare with), or null.
      type: str
    address:
      description: The C(ip:port) of the notary that answered, or null.
      type: str
    notary_key_verified:
      description: Whether the notary's own key response (C(/_matrix/key/v2/server)) was valid and self-signed.
      type: bool
    notary_keys:
      description: Key IDs of the notary's verified keys, used to check its signatures on the answers.
      type: list
      elements: str
    cached:
      description:
        - What C(GET /_matrix/key/v2/query/<server>) returned (the notary's cache, no fetch), merged over the
          verified answers, as C({valid_until_ts, valid_until, verify_keys, old_verify_keys}).
        - C(valid_until_ts) is the latest of the answers (milliseconds), C(valid_until) the same in UTC,
          C(verify_keys) a list of key IDs and C(old_verify_keys) a dict of key ID to C(expired_ts).
        - Null when it held nothing for the server or the request failed.
      type: dict
    queried:
      description: The same for C(POST /_matrix/key/v2/query), asked as peers ask.
      type: dict
    current_key_present:
      description: Whether the POST answer has every current key of the server, valid now.
      type: bool
    old_keys:
      description:
        - One entry per key the server lists in C(old_verify_keys), C({listed, expired_ts, expired}) where
          C(listed) says whether the notary's answers list it, and C(expired_ts) / C(expired) (UTC) is the expiry
          they give.
      type: dict
    errors:
      description: This notary's errors (C(NOTARY_KEY_MISMATCH)), as C({code, message}).
      type: list
      elements: dict
    federation_warnings:
      description: This notary's warnings, as C({code, message}).
      type: list
      elements: dict
  sample:
    matrix.org:
      reachable: true
      skipped: null
      address: "203.0.113.7:443"
      notary_key_verified: true
      notary_keys: ["ed25519:a_RXGa"]
      cached: {valid_until_ts: 1767225600000, valid_until: "2026-01-01T00:00:00Z", verify_keys: ["ed25519:a_AbCd"],
               old_verify_keys: {}}
      queried: {valid_until_ts: 1767225600000, valid_until: "2026-01-01T00:00:00Z", verify_keys: ["ed25519:a_AbCd"],
                old_verify_keys: {}}
      current_key_present: true
      old_keys: {}
      errors: []
      federation_warnings: []
duration_ms:
  description: Duration of the test (with O(server_names), of the whole batch) in milliseconds.
  returned: always
  type: int
processes:
  description: With O(server_names), over how many processes the batch was spread (see O(processes)).
  returned: when O(server_names) is used
  type: int
  sample: 2
  version_added: 0.2.0
'''

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.matrix.federation.plugins.module_utils._federation.argspec import network_argument_spec
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.runctx import missing_library
from ansible_collections.matrix.federation.plugins.module_utils._federation.servername import parse_server_name
from ansible_collections.matrix.federation.plugins.module_utils._federation.tester import run_federation_test, run_federation_tests


def _errors_text(errors, limit=3):
    text = '; '.join('%s: %s' % (e['code'], e['message']) for e in errors[:limit])
    if len(errors) > limit:
        text += ' (and %d more errors)' % (len(errors) - limit)
    return text


def _warn_skipped(module, report, prefix=''):
    skipped = [entry['skipped'] for entry in (report.get('notaries') or {}).values() if entry['skipped']]
    if skipped:
        module.warn('%snotaries: comparison skipped: %s' % (prefix, skipped[0]))


def run_one(module, params):
    report = run_federation_test(
        params['server_name'], nameservers=params['nameservers'], ca_path=params['ca_path'],
        timeout=params['timeout'], expected_keys=params['expected_keys'],
        cert_expiry_warn_days=params['cert_expiry_warn_days'], user_agent=params['user_agent'],
        notaries=params['notaries'])
    for warning in report['federation_warnings']:
        module.warn('%s: %s' % (warning['code'], warning['message']))
    _warn_skipped(module, report)
    if params['fail_on_error'] and not report['federation_ok']:
        msg = 'federation with %s is broken: %s' % (params['server_name'], _errors_text(report['errors']))
        module.fail_json(msg=msg, changed=False, **report)
    module.exit_json(changed=False, **report)


def run_many(module, params):
    if not params['server_names']:
        module.fail_json(msg='server_names must list at least one server name')
    result = run_federation_tests(
        params['server_names'], nameservers=params['nameservers'], ca_path=params['ca_path'],
        timeout=params['timeout'], expected_keys=params['expected_keys'],
        cert_expiry_warn_days=params['cert_expiry_warn_days'], concurrency=params['concurrency'],
        user_agent=params['user_agent'], notaries=params['notaries'], processes=params['processes'])
    warnings = []
    for name, report in result['reports'].items():
        for warning in report['federation_warnings']:
            warnings.append({'code': warning['code'], 'message': '%s: %s' % (name, warning['message'])})
            module.warn('%s: %s: %s' % (name, warning['code'], warning['message']))
        _warn_skipped(module, report, '%s: ' % name)
    result['federation_warnings'] = warnings
    if params['fail_on_error'] and not result['federation_ok']:
        broken = [name for name, report in result['reports'].items() if not report['federation_ok']]
        shown = ['%s (%s)' % (name, ', '.join(sorted(set(e['code'] for e in result['reports'][name]['errors']))))
                 for name in broken[:10]]
        msg = 'federation is broken for %d of %d servers: %s' % (len(broken), len(result['reports']), '; '.join(shown))
        if len(broken) > len(shown):
            msg += ' (and %d more)' % (len(broken) - len(shown))
        module.fail_json(msg=msg, changed=False, **result)
    module.exit_json(changed=False, **result)


def main():
    module = AnsibleModule(
        argument_spec=network_argument_spec(
            server_name=dict(type='str'),
            server_names=dict(type='list', elements='str'),
            concurrency=dict(type='int', default=32),
            processes=dict(type='int'),
            expected_keys=dict(type='dict', no_log=False),
            fail_on_error=dict(type='bool', default=True),
            cert_expiry_warn_days=dict(type='int', default=14),
            notaries=dict(type='list', elements='str', default=[]),
        ),
        mutually_exclusive=[('server_name', 'server_names')],
        required_one_of=[('server_name', 'server_names')],
        supports_check_mode=True,
    )
    missing = missing_library('cryptography')
    if missing:
        module.fail_json(msg=missing_required_lib(missing[0]))
    params = module.params
    if params['timeout'] <= 0:
        module.fail_json(msg='timeout must be a positive number of seconds, got %s' % params['timeout'])
    if params['concurrency'] < 1:
        module.fail_json(msg='concurrency must be at least 1, got %s' % params['concurrency'])
    if params['processes'] is not None and params['processes'] < 1:
        module.fail_json(msg='processes must be at least 1 (or not set: one per CPU core for a long list), got %s'
                         % params['processes'])
    try:
        for notary in params['notaries']:
            try:
                parse_server_name(notary)
            except FederationError as exc:
                module.fail_json(msg='notaries: %r is not a server name: %s' % (notary, exc.message), code=exc.code)
        if params['server_names'] is not None:
            run_many(module, params)
        else:
            run_one(module, params)
    except FederationError as exc:
        module.fail_json(msg=exc.message, code=exc.code)


if __name__ == '__main__':
    main()
