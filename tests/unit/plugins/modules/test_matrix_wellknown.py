# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""matrix_wellknown run as a real module process (python -m and ``ansible localhost -m``)."""
import json
import os
import stat
import subprocess
import sys

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
COLLECTIONS = os.path.join(REPO, '.build', 'collections')
MODULE = 'ansible_collections.matrix.federation.plugins.modules.matrix_wellknown'
FQCN = 'matrix.federation.matrix_wellknown'
BIN = os.path.dirname(sys.executable)

WANTED = {
    'server': 'matrix.example.com:443',
    'client': {'base_url': 'https://matrix.example.com',
               'extra': {'org.matrix.msc3575.proxy': {'url': 'https://sync.example.com'}}},
    'support': {'contacts': [{'matrix_id': '@admin:example.com', 'role': 'm.role.admin'},
                             {'email_address': 'security@example.com', 'role': 'm.role.security'}],
                'support_page': 'https://example.com/support'},
}


def run_module(tmp_path, args, check=False, diff=False):
    """Run the module as Ansible runs it on a host: a process reading ANSIBLE_MODULE_ARGS."""
    args = dict(args, _ansible_check_mode=check, _ansible_diff=diff)
    args_file = tmp_path / 'args.json'
    args_file.write_text(json.dumps({'ANSIBLE_MODULE_ARGS': args}))
    env = dict(os.environ, PYTHONPATH=COLLECTIONS)
    proc = subprocess.run([sys.executable, '-m', MODULE, str(args_file)], env=env, capture_output=True, check=False,
                          text=True, timeout=120)
    assert 'Traceback (most recent call last)' not in proc.stderr + proc.stdout
    result = json.loads(proc.stdout)
    result['rc'] = proc.returncode
    return result


def run_adhoc(args, check=False, diff=False):
    """Run ``ansible localhost -m matrix.federation.matrix_wellknown`` and return the host's result."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_LOAD_CALLBACK_PLUGINS='1',
               ANSIBLE_STDOUT_CALLBACK='ansible.posix.json', ANSIBLE_NOCOLOR='1',
               ANSIBLE_LOCALHOST_WARNING='0', ANSIBLE_INVENTORY_UNPARSED_WARNING='0')
    cmd = [os.path.join(BIN, 'ansible'), 'localhost', '-m', FQCN, '-a', json.dumps(args)]
    if check:
        cmd.append('--check')
    if diff:
        cmd.append('--diff')
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, check=False)
    output = json.loads(proc.stdout)
    result = output['plays'][0]['tasks'][0]['hosts']['localhost']
    text = json.dumps(result)
    for marker in ('module_stderr', 'MODULE FAILURE', 'Traceback (most recent call last)'):
        assert marker not in text, text
    return result


def listing(directory):
    return sorted(os.listdir(directory)) if os.path.isdir(directory) else None


def test_check_mode_sequence_with_ansible(tmp_path):
    target = str(tmp_path / 'www' / '.well-known' / 'matrix')
    args = dict(WANTED, path=target)

    first = run_adhoc(args, check=True)
    assert first['changed'] is True
    assert not os.path.exists(target), 'check mode must not create anything'
    assert first['files']['server']['state'] == 'created'

    second = run_adhoc(args)
    assert second['changed'] is True
    assert listing(target) == ['client', 'server', 'support']

    third = run_adhoc(args, check=True)
    assert third['changed'] is False

    fourth = run_adhoc(args)
    assert fourth['changed'] is False
    assert set(f['state'] for f in fourth['files'].values()) == {'unchanged'}

    with open(os.path.join(target, 'server')) as handle:
        assert handle.read() == '{\n  "m.server": "matrix.example.com:443"\n}\n'
    with open(os.path.join(target, 'client')) as handle:
        assert json.load(handle) == {'m.homeserver': {'base_url': 'https://matrix.example.com'},
                                     'org.matrix.msc3575.proxy': {'url': 'https://sync.example.com'}}
    with open(os.path.join(target, 'support')) as handle:
        support = json.load(handle)
    assert support['contacts'][1] == {'email_address': 'security@example.com', 'role': 'm.role.security'}
    for name in ('server', 'client', 'support'):
        assert stat.S_IMODE(os.stat(os.path.join(target, name)).st_mode) == 0o644
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o755


def test_diff_shows_before_and_after_json(tmp_path):
    target = str(tmp_path / 'wk')
    os.mkdir(target)
    run_module(tmp_path, {'path': target, 'server': 'old.example.com:443'})
    result = run_adhoc({'path': target, 'server': 'new.example.com:8448'}, check=True, diff=True)
    assert result['changed'] is True
    assert len(result['diff']) == 1
    diff = result['diff'][0]
    assert diff['before_header'] == os.path.join(target, 'server')
    assert json.loads(diff['before']) == {'m.server': 'old.example.com:443'}
    assert json.loads(diff['after']) == {'m.server': 'new.example.com:8448'}
    with open(os.path.join(target, 'server')) as handle:
        assert 'old.example.com' in handle.read(), 'check mode with diff must not write'


def test_write_is_atomic_rename(tmp_path):
    target = str(tmp_path / 'wk')
    os.mkdir(target)
    run_module(tmp_path, {'path': target, 'server': 'old.example.com:443'})
    server = os.path.join(target, 'server')
    old_inode = os.stat(server).st_ino
    # A hard link keeps the old inode: a rename leaves its content alone, an in-place write would not.
    os.link(server, str(tmp_path / 'old-server'))
    with open(server) as reader:
        result = run_module(tmp_path, {'path': target, 'server': 'new.example.com:443'})
        assert result['changed'] is True
        assert 'old.example.com' in reader.read(), 'an open reader must keep seeing the complete old file'
    assert os.stat(server).st_ino != old_inode
    assert 'old.example.com' in (tmp_path / 'old-server').read_text()
    assert json.loads(open(server).read()) == {'m.server': 'new.example.com:443'}
    assert listing(target) == ['server'], 'no temporary files may be left behind'


def test_present_leaves_other_documents_alone(tmp_path):
    target = str(tmp_path / 'wk')
    run_module(tmp_path, dict(WANTED, path=target))
    result = run_module(tmp_path, {'path': target, 'server': 'other.example.com:443'})
    assert result['changed'] is True and sorted(result['files']) == ['server']
    assert listing(target) == ['client', 'server', 'support']


def test_absent_removes_selected_documents(tmp_path):
    target = str(tmp_path / 'wk')
    run_module(tmp_path, dict(WANTED, path=target))

    check = run_module(tmp_path, {'path': target, 'state': 'absent', 'documents': ['server']}, check=True,
                       diff=True)
    assert check['changed'] is True and listing(target) == ['client', 'server', 'support']
    assert check['diff'][0]['after'] == '' and 'm.server' in check['diff'][0]['before']

    removed = run_module(tmp_path, {'path': target, 'state': 'absent', 'documents': ['server']})
    assert removed['changed'] is True and removed['files']['server']['state'] == 'removed'
    assert listing(target) == ['client', 'support']

    again = run_module(tmp_path, {'path': target, 'state': 'absent', 'documents': ['server']})
    assert again['changed'] is False and again['files']['server']['state'] == 'absent'

    everything = run_module(tmp_path, {'path': target, 'state': 'absent'})
    assert everything['changed'] is True and listing(target) == []
    assert run_module(tmp_path, {'path': target, 'state': 'absent'})['changed'] is False
    missing_dir = run_module(tmp_path, {'path': str(tmp_path / 'nope'), 'state': 'absent'})
    assert missing_dir['changed'] is False and not os.path.exists(str(tmp_path / 'nope'))


def test_backup_keeps_old_content(tmp_path):
    target = str(tmp_path / 'wk')
    run_module(tmp_path, {'path': target, 'server': 'old.example.com:443'})
    result = run_module(tmp_path, {'path': target, 'server': 'new.example.com:443', 'backup': True})
    assert len(result['backup_files']) == 1
    backup = result['backup_files'][0]
    assert result['files']['server']['backup_file'] == backup
    assert os.path.dirname(backup) == target
    assert json.loads(open(backup).read()) == {'m.server': 'old.example.com:443'}
    removed = run_module(tmp_path, {'path': target, 'state': 'absent', 'documents': ['server'], 'backup': True})
    assert 'new.example.com' in open(removed['backup_files'][0]).read()


def test_mode_drift_is_repaired(tmp_path):
    target = str(tmp_path / 'wk')
    run_module(tmp_path, {'path': target, 'server': 'a.example.com:443'})
    server = os.path.join(target, 'server')
    os.chmod(server, 0o600)
    check = run_module(tmp_path, {'path': target, 'server': 'a.example.com:443'}, check=True)
    assert check['changed'] is True and stat.S_IMODE(os.stat(server).st_mode) == 0o600
    fixed = run_module(tmp_path, {'path': target, 'server': 'a.example.com:443'})
    assert fixed['changed'] is True and stat.S_IMODE(os.stat(server).st_mode) == 0o644
    custom = run_module(tmp_path, {'path': target, 'server': 'a.example.com:443', 'mode': '0640'})
    assert custom['changed'] is True and stat.S_IMODE(os.stat(server).st_mode) == 0o640


def test_owner_and_group(tmp_path):
    import grp
    import pwd

    if os.geteuid() != 0:
        pytest.skip('changing owners needs root')
    user = pwd.getpwnam('nobody')
    group = grp.getgrgid(user.pw_gid)
    target = str(tmp_path / 'wk')
    args = {'path': target, 'server': 'a.example.com:443', 'owner': user.pw_name, 'group': group.gr_name}
    assert run_module(tmp_path, args)['changed'] is True
    info = os.stat(os.path.join(target, 'server'))
    assert (info.st_uid, info.st_gid) == (user.pw_uid, group.gr_gid)
    assert run_module(tmp_path, args)['changed'] is False
    os.chown(os.path.join(target, 'server'), 0, 0)
    assert run_module(tmp_path, args, check=True)['changed'] is True
    assert os.stat(os.path.join(target, 'server')).st_uid == 0
    assert run_module(tmp_path, args)['changed'] is True
    assert os.stat(os.path.join(target, 'server')).st_uid == user.pw_uid


def test_warnings_are_coded_and_emitted(tmp_path):
    result = run_module(tmp_path, {'path': str(tmp_path / 'wk'), 'server': 'matrix.example.com'})
    assert result['rc'] == 0
    assert [w['code'] for w in result['federation_warnings']] == ['WELLKNOWN_SERVER_NO_PORT']
    # ansible-core 2.19 sends module warnings as structured summaries; older versions as strings.
    assert '8448' in json.dumps(result['warnings'])


@pytest.mark.parametrize('args, fragment', [
    ({'server': 'https://matrix.example.com'}, 'not a URL'),
    ({'server': 'matrix.example.com:70000'}, 'invalid port'),
    ({'client': {'base_url': 'http://matrix.example.com'}}, 'uses http'),
    ({'client': {'base_url': 'https://matrix.example.com', 'extra': {'m.homeserver': {}}}}, 'must not set'),
    ({'support': {'contacts': [{'matrix_id': '@a:example.com', 'role': 'admin'}]}}, 'use m.role.admin'),
    ({'support': {'contacts': [{'role': 'm.role.admin'}]}}, 'needs a "matrix_id" or an "email_address"'),
    ({'support': {'contacts': [{'email_address': 'x', 'role': 'm.role.admin'}]}}, 'not an email address'),
    ({'support': {'contacts': []}}, 'needs "contacts" or "support_page"'),
    ({'server': 'a.example.com:443', 'mode': 'u+rwx'}, 'mode must be octal'),
    ({}, 'needs at least one of server, client, support'),
])
def test_bad_input_fails_clearly(tmp_path, args, fragment):
    target = str(tmp_path / 'wk')
    result = run_module(tmp_path, dict(args, path=target))
    assert result['rc'] != 0 and result['failed'] is True
    assert fragment in result['msg'], result['msg']
    assert not os.path.exists(target), 'nothing may be written when validation fails'


def test_bad_input_through_ansible(tmp_path):
    result = run_adhoc({'path': str(tmp_path), 'client': {'base_url': 'http://matrix.example.com'}})
    assert result['failed'] is True
    assert 'm.homeserver.base_url' in result['msg'] and 'https://matrix.example.com' in result['msg']
    assert result['code'] == 'WELLKNOWN_URL_NOT_HTTPS'


def test_path_is_a_file(tmp_path):
    target = tmp_path / 'file'
    target.write_text('x')
    result = run_module(tmp_path, {'path': str(target), 'server': 'a.example.com:443'})
    assert result['failed'] is True and 'is not a directory' in result['msg']


def test_unwritable_directory_fails_cleanly(tmp_path):
    target = tmp_path / 'wk'
    target.mkdir()
    (target / 'server').mkdir()
    result = run_module(tmp_path, {'path': str(target), 'server': 'a.example.com:443'})
    assert result['failed'] is True and 'server' in result['msg']


def test_path_and_url_are_exclusive(tmp_path):
    result = run_module(tmp_path, {'path': str(tmp_path), 'url': 'https://example.com', 'server': 'a.example:443'})
    assert result['failed'] is True and 'mutually exclusive' in result['msg']
    result = run_module(tmp_path, {'server': 'a.example:443'})
    assert result['failed'] is True and 'path, url, server_name' in result['msg']


# --------------------------------------------------------------------------- remote mode, real HTTPS on loopback

LAB_NAME = 'wk.lab.test'


def _make_pki(directory):
    """A test CA and a leaf for 127.0.0.1/::1/localhost, made with cryptography."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)

    def name(common_name):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (x509.CertificateBuilder().subject_name(name('matrix_wellknown test CA'))
               .issuer_name(name('matrix_wellknown test CA')).public_key(ca_key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=2))
               .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                            content_commitment=False, key_encipherment=False,
                                            data_encipherment=False, key_agreement=False, encipher_only=False,
                                            decipher_only=False), critical=True)
               .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(name('localhost')).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName('localhost'), x509.DNSName(LAB_NAME), x509.IPAddress(ipaddress.ip_address('127.0.0.1')),
                x509.IPAddress(ipaddress.ip_address('::1'))]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = {'ca': os.path.join(directory, 'ca.pem'), 'cert': os.path.join(directory, 'cert.pem'),
             'key': os.path.join(directory, 'key.pem')}
    with open(paths['ca'], 'wb') as handle:
        handle.write(ca_cert.public_bytes(serialization.Encoding.PEM))
    with open(paths['cert'], 'wb') as handle:
        handle.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(paths['key'], 'wb') as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return paths


JSON_CORS = {'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*'}


class WellKnownSite:
    """An HTTPS server on 127.0.0.1 (ephemeral port) answering from ``routes`` or a document root."""

    def __init__(self, pki, ip='127.0.0.1', port=0):
        import http.server
        import ssl
        import threading

        site = self
        self.routes = {}
        self.docroot = None
        self.requests = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                site.requests.append(self.path)
                status, headers, body = site.answer(self.path)
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(pki['cert'], pki['key'])
        self.httpd = http.server.ThreadingHTTPServer((ip, port), Handler)
        self.httpd.daemon_threads = True
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.url = 'https://%s:%d' % (ip, self.port)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, path):
        if path in self.routes:
            return self.routes[path]
        if self.docroot and path.startswith('/.well-known/matrix/'):
            file_path = os.path.join(self.docroot, '.well-known', 'matrix', path.rsplit('/', 1)[1])
            if os.path.isfile(file_path):
                with open(file_path, 'rb') as handle:
                    return 200, dict(JSON_CORS), handle.read()
        return 404, {'Content-Type': 'text/html'}, b'<html><body>404 Not Found</body></html>'

    def serve_json(self, name, doc, headers=None):
        headers = dict(JSON_CORS) if headers is None else headers
        self.routes['/.well-known/matrix/' + name] = (200, headers, json.dumps(doc).encode('utf-8'))

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope='module')
def pki(tmp_path_factory):
    return _make_pki(str(tmp_path_factory.mktemp('pki')))


@pytest.fixture
def site(pki):
    server = WellKnownSite(pki)
    yield server
    server.close()


def remote(site, pki, **args):
    args.setdefault('url', site.url)
    args.setdefault('ca_path', pki['ca'])
    args.setdefault('timeout', 5)
    return args


def warning_codes(result):
    return [w['code'] for w in result['federation_warnings']]


def error_codes(result):
    return [e['code'] for e in result['errors']]


def serve_wanted(site):
    site.serve_json('server', {'m.server': 'matrix.example.com:443'})
    site.serve_json('client', {'m.homeserver': {'base_url': 'https://matrix.example.com'},
                               'org.matrix.msc3575.proxy': {'url': 'https://sync.example.com'}})
    site.serve_json('support', {'contacts': WANTED['support']['contacts'],
                                'support_page': 'https://example.com/support'})


def test_remote_matches(tmp_path, site, pki):
    serve_wanted(site)
    result = run_module(tmp_path, remote(site, pki, **WANTED), check=True)
    assert result['rc'] == 0, result
    assert result['wellknown_ok'] is True and result['changed'] is False
    assert result['differences'] == [] and result['errors'] == [] and result['federation_warnings'] == []
    served = result['served']['server']
    assert served['status'] == 200 and served['json'] == {'m.server': 'matrix.example.com:443'}
    assert served['url'] == site.url + '/.well-known/matrix/server'
    assert result['served']['client']['access_control_allow_origin'] == '*'
    assert sorted(site.requests) == ['/.well-known/matrix/client', '/.well-known/matrix/server',
                                     '/.well-known/matrix/support']


def test_remote_written_files_pass_remote_check(tmp_path, site, pki):
    """What the local mode writes is exactly what the remote mode wants."""
    docroot = tmp_path / 'www'
    run_module(tmp_path, dict(WANTED, path=str(docroot / '.well-known' / 'matrix')))
    site.docroot = str(docroot)
    result = run_module(tmp_path, remote(site, pki, **WANTED))
    assert result['rc'] == 0 and result['wellknown_ok'] is True, result


def test_remote_mismatch_fails_with_differences(tmp_path, site, pki):
    site.serve_json('server', {'m.server': 'matrix.example.com'})
    result = run_module(tmp_path, remote(site, pki, server='matrix.example.com:443'))
    assert result['rc'] != 0 and result['failed'] is True
    assert result['differences'] == [{
        'document': 'server', 'path': '/m.server', 'kind': 'changed', 'wanted': 'matrix.example.com:443',
        'served': 'matrix.example.com',
        'message': 'server document: /m.server is "matrix.example.com", expected "matrix.example.com:443"'}]
    assert 'expected "matrix.example.com:443"' in result['msg']
    assert 'WELLKNOWN_SERVER_NO_PORT' in warning_codes(result)
    assert sorted(result['served']) == ['server'], 'only the wanted documents are fetched'

    relaxed = run_module(tmp_path, remote(site, pki, server='matrix.example.com:443', fail_on_mismatch=False))
    assert relaxed['rc'] == 0 and relaxed['wellknown_ok'] is False and len(relaxed['differences']) == 1


def test_remote_html_is_an_error(tmp_path, site, pki):
    site.routes['/.well-known/matrix/server'] = (200, {'Content-Type': 'text/html'},
                                                 b'<!DOCTYPE html><html><body>Welcome</body></html>')
    result = run_module(tmp_path, remote(site, pki, server='matrix.example.com:443'))
    assert result['failed'] is True
    assert error_codes(result) == ['WELLKNOWN_INVALID_JSON']
    assert 'returns HTML (status 200), not JSON' in result['msg']
    assert result['federation_warnings'] == []
    assert result['served']['server']['json'] is None


def test_remote_wrong_content_type_is_a_warning(tmp_path, site, pki):
    site.serve_json('server', {'m.server': 'matrix.example.com:443'}, headers={'Content-Type': 'text/plain'})
    result = run_module(tmp_path, remote(site, pki, server='matrix.example.com:443'))
    assert result['rc'] == 0 and result['wellknown_ok'] is True
    assert warning_codes(result) == ['WELLKNOWN_CONTENT_TYPE']
    assert 'text/plain' in json.dumps(result['warnings'])


def test_remote_client_without_cors(tmp_path, site, pki):
    site.serve_json('client', {'m.homeserver': {'base_url': 'https://matrix.example.com'}},
                    headers={'Content-Type': 'application/json'})
    result = run_module(tmp_path, remote(site, pki, client={'base_url': 'https://matrix.example.com'}))
    assert result['failed'] is True and error_codes(result) == ['WELLKNOWN_CLIENT_NO_CORS']
    assert 'Access-Control-Allow-Origin: *' in result['msg']
    assert result['differences'] == []

    site.serve_json('client', {'m.homeserver': {'base_url': 'https://matrix.example.com'}},
                    headers={'Content-Type': 'application/json', 'Access-Control-Allow-Origin': 'https://a.example'})
    restricted = run_module(tmp_path, remote(site, pki, client={'base_url': 'https://matrix.example.com'}))
    assert restricted['rc'] == 0 and warning_codes(restricted) == ['WELLKNOWN_CLIENT_CORS_RESTRICTED']


def test_remote_redirect_is_followed_and_reported(tmp_path, site, pki):
    site.routes['/.well-known/matrix/server'] = (301, {'Location': '/elsewhere/server'}, b'')
    site.routes['/elsewhere/server'] = (200, dict(JSON_CORS), b'{"m.server": "matrix.example.com:443"}')
    result = run_module(tmp_path, remote(site, pki, server='matrix.example.com:443'))
    assert result['rc'] == 0 and result['wellknown_ok'] is True
    assert result['served']['server']['redirects'] == [site.url + '/elsewhere/server']
    assert warning_codes(result) == ['WELLKNOWN_REDIRECTED']


def test_remote_redirect_loop(tmp_path, site, pki):
    site.routes['/.well-known/matrix/server'] = (302, {'Location': '/loop'}, b'')
    site.routes['/loop'] = (302, {'Location': '/.well-known/matrix/server'}, b'')
    result = run_module(tmp_path, remote(site, pki, server='matrix.example.com:443'))
    assert result['failed'] is True and error_codes(result) == ['WELLKNOWN_REDIRECT_LOOP']


def test_remote_oversized_body(tmp_path, site, pki):
    body = json.dumps({'m.server': 'matrix.example.com:443', 'org.example.pad': 'x' * 60000}).encode()
    site.routes['/.well-known/matrix/server'] = (200, dict(JSON_CORS), body)
    result = run_module(tmp_path, remote(site, pki, server='matrix.example.com:443'))
    assert result['failed'] is True and error_codes(result) == ['WELLKNOWN_TOO_LARGE']
    assert '51200' in result['msg']


def test_remote_not_served(tmp_path, site, pki):
    result = run_module(tmp_path, remote(site, pki, server='matrix.example.com:443'))
    assert result['failed'] is True and error_codes(result) == ['WELLKNOWN_NOT_SERVED']
    assert result['served']['server']['status'] == 404
    assert result['federation_warnings'] == [], 'the HTML 404 page is not worth a warning of its own'


def test_remote_validate_only(tmp_path, site, pki):
    site.serve_json('server', {'m.server': 'https://matrix.example.com'})
    site.serve_json('client', {'m.homeserver': {'base_url': 'https://matrix.example.com'}})
    result = run_module(tmp_path, remote(site, pki, fail_on_mismatch=False))
    assert result['rc'] == 0 and result['wellknown_ok'] is False
    assert error_codes(result) == ['WELLKNOWN_SERVER_INVALID'], 'a missing support document is no error'
    assert 'not a URL' in result['errors'][0]['message']
    assert result['served']['support']['status'] == 404
    assert result['differences'] == []


def test_remote_absent(tmp_path, site, pki):
    gone = run_module(tmp_path, remote(site, pki, state='absent', documents=['server']))
    assert gone['rc'] == 0 and gone['wellknown_ok'] is True
    site.serve_json('server', {'m.server': 'matrix.example.com:443'})
    still = run_module(tmp_path, remote(site, pki, state='absent', documents=['server']))
    assert still['failed'] is True and error_codes(still) == ['WELLKNOWN_STILL_SERVED']


def test_remote_untrusted_certificate(tmp_path, site, pki):
    args = remote(site, pki, server='matrix.example.com:443')
    del args['ca_path']
    serve_wanted(site)
    result = run_module(tmp_path, args)
    assert result['failed'] is True and error_codes(result) == ['WELLKNOWN_TLS_CERT_INVALID']
    assert 'set ca_path' in result['msg']


def test_remote_unreachable_is_bounded(tmp_path, pki):
    import socket
    import time

    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    start = time.monotonic()
    result = run_module(tmp_path, {'url': 'https://127.0.0.1:%d' % port, 'server': 'a.example.com:443',
                                   'ca_path': pki['ca'], 'timeout': 3})
    assert time.monotonic() - start < 30
    assert result['failed'] is True and error_codes(result) == ['WELLKNOWN_CONNECTION_REFUSED']


@pytest.mark.parametrize('args, fragment', [
    ({'url': 'http://127.0.0.1'}, 'uses http'),
    ({'url': 'https://example.com/.well-known/matrix/server'}, 'without a path'),
    ({'server_name': 'bad name'}, 'whitespace'),
    ({'url': 'https://127.0.0.1', 'ca_path': '/nonexistent/ca.pem'}, 'cannot load CA bundle'),
])
def test_remote_bad_input(tmp_path, args, fragment):
    result = run_module(tmp_path, dict(args, server='a.example.com:443'))
    assert result['failed'] is True and fragment in result['msg'], result['msg']


def test_remote_through_ansible(site, pki):
    serve_wanted(site)
    result = run_adhoc(remote(site, pki, server='matrix.example.com:443', client=WANTED['client']), check=True)
    assert result['changed'] is False and result['wellknown_ok'] is True


def test_remote_server_name_on_port_443_through_dns(tmp_path, pki):
    """server_name mode: the host is resolved with the given nameservers and fetched on port 443."""
    import random

    from ansible_collections.matrix.federation.tests.unit.servers.lab import DnsServer

    if os.geteuid() != 0:
        pytest.skip('port 443 on a loopback address needs root')
    ip = '127.77.%d.%d' % (random.randint(0, 255), random.randint(1, 254))
    site = WellKnownSite(pki, ip=ip, port=443)
    dns = DnsServer()
    try:
        dns.add(LAB_NAME, 'A', ip)
        serve_wanted(site)
        result = run_module(tmp_path, {'server_name': LAB_NAME + ':8448', 'nameservers': [dns.address],
                                       'ca_path': pki['ca'], 'timeout': 5, 'server': 'matrix.example.com:443'})
        assert result['rc'] == 0 and result['wellknown_ok'] is True, result
        assert result['served']['server']['url'] == 'https://%s/.well-known/matrix/server' % LAB_NAME
        assert (LAB_NAME, 'A') in dns.queries
        # A port in the server name means federation never reads the server document: say so.
        assert warning_codes(result) == ['WELLKNOWN_SERVER_IGNORED']
    finally:
        dns.close()
        site.close()
