#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
---
module: matrix_wellknown
short_description: Manage or check the C(/.well-known/matrix) delegation files
version_added: 0.1.0
description:
  - Writes the Matrix delegation documents C(/.well-known/matrix/server) (C(m.server)),
    C(/.well-known/matrix/client) (C(m.homeserver), C(m.identity_server) and extra keys) and
    C(/.well-known/matrix/support) (MSC1929, spec v1.10) into the directory a web server serves as
    C(/.well-known/matrix), or removes them.
  - Every value is validated before anything is written (server-name grammar for C(m.server),
    absolute C(https://) URLs, support contacts and roles). Files are rendered as deterministic JSON
    (sorted keys, indent 2, trailing newline) and written atomically, so runs are idempotent and a web
    server never serves a half-written file.
  - With O(url) or O(server_name) instead of O(path) the module changes nothing. It fetches the documents
    that are served there over HTTPS, as other homeservers and clients would, validates them (JSON
    whatever the content type, 50 KiB size limit, redirects, content type,
    C(Access-Control-Allow-Origin) on the client document) and compares them with the wanted content.
  - The web server must serve the files with C(Content-Type application/json) and the client document
    with C(Access-Control-Allow-Origin *); the module cannot configure that for you, the remote mode
    checks it.
author:
  - matrix.federation contributors (@matrix-federation)
extends_documentation_fragment:
  - matrix.federation.attributes
  - matrix.federation.network
  - matrix.federation.attributes.NETWORK_GROUP
attributes:
  check_mode:
    support: full
    details:
      - With O(path), check mode reports what would change without touching any file.
      - With O(url) or O(server_name) the module only reads, so check mode changes nothing either way.
  diff_mode:
    support: full
    details:
      - With O(path), one diff per document file shows the JSON before and after.
      - With O(url) or O(server_name) there is no diff; see RV(differences).
options:
  path:
    description:
      - The directory served as C(https://<host>/.well-known/matrix/), for example
        C(/var/www/example.com/.well-known/matrix) when the document root is C(/var/www/example.com).
      - The documents are the files C(server), C(client) and C(support) inside it (no extension).
      - With O(state=present) the directory and its missing parents are created with mode C(0755).
      - Exactly one of O(path), O(url) and O(server_name) is required.
    type: path
  url:
    description:
      - Check the documents served under this base URL instead of writing files,
        for example C(https://example.com). C(/.well-known/matrix/<document>) is appended.
      - Must be C(https://host[:port]) without a path.
    type: str
  server_name:
    description:
      - Check the documents served for this Matrix server name instead of writing files.
      - Fetched from C(https://<hostname>/.well-known/matrix/<document>) on port 443, as the spec says;
        a port in the server name is not used for the fetch (and means federation ignores C(m.server)).
    type: str
  server:
    description:
      - The C(m.server) value of C(/.well-known/matrix/server), in server-name grammar C(host[:port]),
        for example C(matrix.example.com:443).
      - Without a port, other servers look up SRV records for the host and otherwise use port 8448.
    type: str
  client:
    description:
      - Content of C(/.well-known/matrix/client).
    type: dict
    suboptions:
      base_url:
        description:
          - C(m.homeserver.base_url), the https URL clients use for the client-server API,
            for example C(https://matrix.example.com).
        type: str
        required: true
      identity_server:
        description:
          - C(m.identity_server.base_url), an https URL. Omitted from the document when not set.
        type: str
      extra:
        description:
          - Further keys merged into the document, for example C(org.matrix.msc3575.proxy) or
            C(org.matrix.msc4143.rtc_foci). Keys must be namespaced identifiers; values any JSON.
          - Must not contain C(m.homeserver) or C(m.identity_server).
        type: dict
        default: {}
  support:
    description:
      - Content of C(/.well-known/matrix/support). At least one of O(support.contacts) and
        O(support.support_page) is needed.
    type: dict
    suboptions:
      contacts:
        description:
          - Ways to reach the server's administrators.
        type: list
        elements: dict
        suboptions:
          matrix_id:
            description:
              - User ID, for example C(@admin:example.com). O(support.contacts[].matrix_id) or
                O(support.contacts[].email_address) (or both) is needed.
            type: str
          email_address:
            description:
              - Email address.
            type: str
          role:
            description:
              - C(m.role.admin), C(m.role.security), or a namespaced role of your own such as
                C(org.example.role.abuse).
            type: str
            required: true
      support_page:
        description:
          - https URL of a page with help specific to this homeserver.
        type: str
  state:
    description:
      - With O(path), V(present) writes the documents given in O(server), O(client) and O(support)
        and leaves the others untouched; V(absent) removes the document files listed in O(documents).
      - With O(url) or O(server_name), V(present) checks that the given documents are served and equal,
        V(absent) checks that the documents listed in O(documents) are not served (HTTP 404).
    type: str
    choices: [present, absent]
    default: present
  documents:
    description:
      - Which documents O(state=absent) removes (or checks for absence).
      - In remote mode with O(state=present) and none of O(server), O(client), O(support) given,
        which documents to fetch and validate. A document that is not served (404) is then
        reported, not an error.
      - Defaults to all three.
    type: list
    elements: str
    choices: [server, client, support]
  owner:
    description:
      - Owner of the document files. Defaults to the user running the module.
    type: str
  group:
    description:
      - Group of the document files.
    type: str
  mode:
    description:
      - Octal permissions of the document files, as a string such as V('0644').
      - The documents are public, so the default lets the web server read them.
    type: raw
    default: '0644'
  backup:
    description:
      - Keep a timestamped copy of a document file before it is changed or removed.
    type: bool
    default: false
  fail_on_mismatch:
    description:
      - In remote mode, fail the task when a document is not served as wanted or is invalid.
        The full report is returned either way.
    type: bool
    default: true
notes:
  - Remote mode fetches with the collection's HTTPS client. Redirects are followed (at most 10 hops) and
    reported as a warning; bodies over 50 KiB are refused as servers refuse them.
  - The spec treats a well-known body as JSON whatever its content type, so a wrong content type is a
    warning; HTML or invalid JSON is an error (servers then silently fall back to SRV and port 8448).
seealso:
  - name: Server-Server API, resolving server names
    description: How other homeservers use C(/.well-known/matrix/server).
    link: https://spec.matrix.org/latest/server-server-api/#resolving-server-names
  - name: Client-Server API, well-known URIs
    description: The client and support documents.
    link: https://spec.matrix.org/latest/client-server-api/#well-known-uris
  - module: matrix.federation.matrix_federation_test
'''

EXAMPLES = r'''
- name: Delegate example.com to matrix.example.com on port 443
  matrix.federation.matrix_wellknown:
    path: /var/www/example.com/.well-known/matrix
    server: matrix.example.com:443
    client:
      base_url: https://matrix.example.com
      extra:
        org.matrix.msc3575.proxy:
          url: https://matrix.example.com
    support:
      contacts:
        - matrix_id: "@admin:example.com"
          email_address: admin@example.com
          role: m.role.admin
        - email_address: security@example.com
          role: m.role.security
      support_page: https://example.com/support
    owner: root
    group: www-data

- name: Stop delegating (remove the server document only)
  matrix.federation.matrix_wellknown:
    path: /var/www/example.com/.well-known/matrix
    state: absent
    documents: [server]

- name: Check what example.com really serves
  matrix.federation.matrix_wellknown:
    server_name: example.com
    server: matrix.example.com:443
    client:
      base_url: https://matrix.example.com
  register: served

- name: Report differences without failing
  matrix.federation.matrix_wellknown:
    url: https://example.com
    server: matrix.example.com:443
    fail_on_mismatch: false
  register: wellknown

- name: Show them
  ansible.builtin.debug:
    var: wellknown.differences
'''

RETURN = r'''
wanted:
  description: The documents the module was asked to write or expect, by document name.
  returned: always
  type: dict
  sample:
    server: {"m.server": "matrix.example.com:443"}
    client: {"m.homeserver": {"base_url": "https://matrix.example.com"}}
files:
  description:
    - Local mode only. Per document name, the file path, what happened (V(created), V(updated),
      V(unchanged), V(removed), V(absent)) and the backup made, if any.
  returned: when O(path) is used
  type: dict
  sample:
    server: {"path": "/var/www/example.com/.well-known/matrix/server", "state": "created", "backup_file": null}
backup_files:
  description: Local mode only. Backups made in this run.
  returned: when O(path) is used
  type: list
  elements: str
served:
  description:
    - Remote mode only. Per document name what was fetched, C(null) fields when nothing was served.
  returned: when O(url) or O(server_name) is used
  type: dict
  contains:
    url:
      description: URL fetched.
      type: str
    status:
      description: HTTP status of the last response, C(null) when no response came.
      type: int
    content_type:
      description: Content-Type header of the response.
      type: str
    access_control_allow_origin:
      description: The C(Access-Control-Allow-Origin) header, C(null) when missing.
      type: str
    redirects:
      description: URLs redirected through.
      type: list
      elements: str
    json:
      description: The parsed body, C(null) when it is not JSON.
      type: raw
    error:
      description: Fetch error as C({code, message}), C(null) when the fetch worked.
      type: dict
  sample:
    server: {"url": "https://example.com/.well-known/matrix/server", "status": 200,
             "content_type": "application/json", "access_control_allow_origin": "*",
             "redirects": [], "json": {"m.server": "matrix.example.com:443"}, "error": null}
differences:
  description:
    - Remote mode only. Differences between wanted and served documents. C(path) is a JSON pointer,
      C(kind) is V(missing), V(unexpected) or V(changed).
  returned: when O(url) or O(server_name) is used
  type: list
  elements: dict
  sample:
    - {"document": "server", "path": "/m.server", "kind": "changed", "wanted": "matrix.example.com:443",
       "served": "matrix.example.com", "message": "server document: /m.server is \"matrix.example.com\",
       expected \"matrix.example.com:443\""}
wellknown_ok:
  description: Remote mode only. True when every checked document is served as wanted and valid.
  returned: when O(url) or O(server_name) is used
  type: bool
errors:
  description: Remote mode only. Problems found, as C({code, message}) with a stable C(code).
  returned: when O(url) or O(server_name) is used
  type: list
  elements: dict
federation_warnings:
  description: Coded warnings (C({code, message})); each message is also emitted as an Ansible warning.
  returned: always
  type: list
  elements: dict
  sample:
    - {"code": "WELLKNOWN_CONTENT_TYPE", "message": "https://example.com/.well-known/matrix/server is served
       as text/plain, not application/json"}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.matrix.federation.plugins.module_utils._federation.argspec import network_argument_spec
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError
from ansible_collections.matrix.federation.plugins.module_utils._federation.runctx import make_https_client
from ansible_collections.matrix.federation.plugins.module_utils._federation.wellknown import DOCUMENT_NAMES, build_documents
from ansible_collections.matrix.federation.plugins.module_utils._federation.wellknown_fetch import fetch_well_known_documents
from ansible_collections.matrix.federation.plugins.module_utils._federation.wellknown_files import manage_local_documents, parse_mode
from ansible_collections.matrix.federation.plugins.module_utils._federation.wellknown_served import (
    assess_served_documents,
    documents_to_fetch,
    well_known_host,
)


def check_remote_documents(module, documents):
    """Fetch the documents served for ``url``/``server_name`` and judge them against ``documents``."""
    params = module.params
    host, warnings = well_known_host(params['url'], params['server_name'])
    client = make_https_client(params['nameservers'], params['ca_path'], params['timeout'], params['user_agent'])
    names = documents_to_fetch(documents, params['state'], params['documents'])
    result = assess_served_documents(fetch_well_known_documents(host, client, names), documents, params['state'])
    result['changed'] = False
    result['federation_warnings'] = warnings + result['federation_warnings']
    return result


def main():
    module = AnsibleModule(
        argument_spec=network_argument_spec(
            path=dict(type='path'),
            url=dict(type='str'),
            server_name=dict(type='str'),
            server=dict(type='str'),
            client=dict(type='dict', options=dict(
                base_url=dict(type='str', required=True),
                identity_server=dict(type='str'),
                extra=dict(type='dict', default={}),
            )),
            support=dict(type='dict', options=dict(
                contacts=dict(type='list', elements='dict', options=dict(
                    matrix_id=dict(type='str'),
                    email_address=dict(type='str'),
                    role=dict(type='str', required=True),
                )),
                support_page=dict(type='str'),
            )),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            documents=dict(type='list', elements='str', choices=list(DOCUMENT_NAMES)),
            owner=dict(type='str'),
            group=dict(type='str'),
            mode=dict(type='raw', default='0644'),
            backup=dict(type='bool', default=False),
            fail_on_mismatch=dict(type='bool', default=True),
        ),
        mutually_exclusive=[('path', 'url', 'server_name')],
        required_one_of=[('path', 'url', 'server_name')],
        supports_check_mode=True,
    )
    params = module.params
    local = params['path'] is not None
    try:
        mode = parse_mode(params['mode'])
        documents, warnings = build_documents(params['server'], params['client'], params['support'])
        if local and params['state'] == 'present' and not documents:
            raise FederationError('NOTHING_TO_WRITE',
                                  'state=present with path needs at least one of server, client, support')
        if local:
            result = manage_local_documents(module, documents, mode)
        else:
            result = check_remote_documents(module, documents)
            warnings = warnings + result.pop('federation_warnings')
    except FederationError as exc:
        module.fail_json(msg=exc.message, code=exc.code)

    for warning in warnings:
        module.warn(warning['message'])
    result['wanted'] = documents
    result['federation_warnings'] = warnings
    if not local and not result['wellknown_ok'] and params['fail_on_mismatch']:
        problems = [e['message'] for e in result['errors']] + [d['message'] for d in result['differences']]
        module.fail_json(msg='; '.join(problems), **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
