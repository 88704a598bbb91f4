# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Federation reports as GitHub / GitLab flavoured Markdown, for CI job summaries (pure).

The same facts as the HTML page (``render_outline``). Text from the tested
servers is made inert: markup characters become entities (GitHub and GitLab
render inline HTML, so a ``<img>`` in a server's message would be fetched),
Markdown's punctuation is backslash-escaped (no emphasis, links, images,
code spans or math), a ``|`` cannot end a table cell and a line break
becomes ``<br>`` so every row stays one line.
"""

import re

from ansible_collections.matrix.federation.plugins.module_utils._federation.render_outline import (
    GO_CHECK_NAMES,
    keys_answer_text,
    outline_reports,
)

DEFAULT_TITLE = 'Matrix federation report'

_NOT_TEXT_CHAR = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]')
_LINE_BREAK = re.compile('\r\n|[\r\n\u2028\u2029]')
# ASCII punctuation Markdown gives a meaning inside a line (emphasis, links and images (brackets), code spans,
# table cells, strike-through, math, GitLab references and mentions); backslash escapes work for each of them.
_MARKDOWN_PUNCTUATION = re.compile(r'([\\`*_\[\]|~$#@])')
_PLAIN_CODE = re.compile('^[A-Z0-9_]+$')
_CODE_SPAN = re.compile('(`[^`]*`)')


def md_text(value):
    """Server text as inline Markdown, safe in a table cell and a list item."""
    text = _NOT_TEXT_CHAR.sub('\ufffd', str(value)).replace('\t', ' ')
    text = text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;').replace('"', '&quot;')
    text = _MARKDOWN_PUNCTUATION.sub(r'\\\1', text)
    return _LINE_BREAK.sub('<br>', text)


def _catalogue_md(value):
    """Catalogue text (Markdown from docs/errors.md, trusted): code spans kept, the rest made cell-safe."""
    parts = []
    for index, part in enumerate(_CODE_SPAN.split(str(value))):
        if index % 2:
            parts.append(part.replace('|', '\\|'))
        else:
            part = part.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
            parts.append(part.replace('|', '\\|'))
    return _LINE_BREAK.sub(' ', ''.join(parts))


def _cell(value, empty='\u2013'):
    return md_text(value) if value not in (None, '', []) else empty


def _mark(value, yes='ok', no='**FAIL**'):
    return '\u2013' if value is None else yes if value else no


def _table(headers, rows):
    lines = ['| %s |' % ' | '.join(headers), '|%s|' % '|'.join('---' for dummy in headers)]
    lines.extend('| %s |' % ' | '.join(row) for row in rows)
    return lines + ['']


def _findings(findings):
    lines = []
    for f in findings:
        code = str(f['code'])
        lines.append('- %s %s' % ('`%s`' % code if _PLAIN_CODE.match(code) else md_text(code), md_text(f['message'])))
        if not f['known']:
            lines.append('  - %s' % f['cause'])
            continue
        if f['cause']:
            lines.append('  - cause: %s' % _catalogue_md(f['cause']))
        if f['fix']:
            lines.append('  - fix: %s' % _catalogue_md(f['fix']))
    return lines + ['']


def _resolution(res):
    wk = res['well_known']
    lines = ['### Resolution', '', md_text(res['method_text']), '']
    rows = [['method', _cell(res['method'])], ['delegated host', _cell(res['delegated_hostname'])],
            ['Host header', _cell(res['host_header'])], ['TLS name (SNI)', _cell(res['sni'], 'none: IP literal')]]
    if wk['fetched']:
        rows.append(['well-known', '%s: %s' % (_cell(wk['url']), _cell(
            'm.server %s' % wk['m_server'] if wk['m_server'] else wk['error'] or 'HTTP %s' % wk['status']))])
        rows.append(['well-known cache', _cell(wk['cache'])])
    else:
        rows.append(['well-known', 'not fetched (the spec skips it for this name)'])
    lines.extend(_table(['step', 'value'], rows))
    if wk['by_address']:
        lines.extend(_table(['well-known from', 'HTTP status', 'delegation (m.server)', 'why none'], [
            [md_text(a['ip']), _cell(a['status']), _cell(a['m_server'], 'none'), _cell(a['error'])]
            for a in wk['by_address']]))
    if res['srv']:
        lines.extend(_table(['SRV name', 'records (priority weight port target)', 'error'], [
            [md_text(s['name']), '<br>'.join(md_text(r) for r in s['records']) or 'none', _cell(s['error'])]
            for s in res['srv']]))
    if res['targets']:
        lines.extend(_table(['target', 'port', 'SRV priority', 'SRV weight', 'addresses'], [
            [md_text(t['host']), _cell(t['port']), _cell(t['priority']), _cell(t['weight']),
             md_text(', '.join(t['addresses'])) or 'none'] for t in res['targets']]))
    return lines


def _media(media):
    if not media:
        return 'not asked'
    detail = ' '.join(str(media[k]) for k in ('status', 'errcode') if media.get(k) is not None)
    return md_text('%s (%s)' % (media.get('verdict'), detail) if detail else media.get('verdict'))


def _addresses(addresses):
    lines = ['### Addresses', '']
    rows = []
    for a in addresses:
        checks = [_mark(c['ok']) for c in a['checks']] if a['reachable'] else ['\u2013'] * len(GO_CHECK_NAMES)
        rows.append([md_text(a['address']), md_text(a['verdict']) if a['ok'] else '**%s**' % md_text(a['verdict'])]
                    + checks + [_media(a['media']), _cell(a['tls'])])
    lines.extend(_table(['address', 'verdict'] + list(GO_CHECK_NAMES.values()) + ['media route', 'TLS'], rows))
    certs = [[md_text(a['address']), _cell(c['subject']), _cell(', '.join(c['sans'])), _cell(c['issuer']),
              _cell(c['not_after']), _cell(c['days_until_expiry'])]
             for a in addresses for c in a['certificates']]
    if certs:
        lines.extend(['#### Certificates (leaf first)', ''])
        lines.extend(_table(['address', 'subject', 'SANs', 'issuer', 'expires', 'days left'], certs))
    keys = []
    for a in addresses:
        checks = dict((c['key_id'], c) for c in a['ed25519_checks'])
        keys.extend([md_text(a['address']), md_text(k['key_id']), _cell(k['key']), _cell(a['valid_until']),
                     _mark(checks.get(k['key_id'], {}).get('valid_ed25519')),
                     _mark(checks.get(k['key_id'], {}).get('matching_signature'))] for k in a['keys'])
        keys.extend([md_text(a['address']), md_text(k['key_id']), 'old key, expired %s' % _cell(k['expired']),
                     '\u2013', '\u2013', '\u2013'] for k in a['old_keys'])
    if keys:
        lines.extend(['#### Signing keys', ''])
        lines.extend(_table(['address', 'key ID', 'public key', 'valid until', 'ValidEd25519', 'MatchingSignature'],
                            keys))
    return lines


def _keys_answer(answer):
    text = keys_answer_text(answer)
    return 'nothing' if text is None else md_text(text)


def _notaries(notaries):
    rows = []
    for n in notaries:
        if n['skipped']:
            rows.append([md_text(n['name']), 'skipped: %s' % md_text(n['skipped']), '\u2013', '\u2013', '\u2013', '\u2013'])
            continue
        rows.append([md_text(n['name']), _mark(n['reachable'], 'yes', '**no**'),
                     _mark(n['notary_key_verified'], 'yes', '**no**'), _mark(n['current_key_present'], 'yes', '**no**'),
                     'cached: %s<br>asked: %s' % (_keys_answer(n['cached']), _keys_answer(n['queried'])),
                     _cell(', '.join(str(f['code']) for f in n['errors'] + n['warnings']), 'none')])
    return ['### Notaries', ''] + _table(['notary', 'reachable', 'own key verified', 'holds the current key',
                                          'what it holds', 'findings'], rows)


def _server(o):
    lines = ['## %s %s: %s' % ('\u2705' if o['ok'] else '\u274c', md_text(o['server_name']), o['verdict']), '']
    facts = ['%d error(s), %d warning(s)' % (o['error_count'], o['warning_count'])]
    if o['version']:
        facts.append('software: %s' % o['version'])
    lines.extend([md_text(' \u00b7 '.join(facts)), ''])
    if o['errors']:
        lines.extend(['### Errors', ''] + _findings(o['errors']))
    lines.extend(_resolution(o['resolution']))
    lines.extend(_addresses(o['addresses']) if o['addresses'] else ['### Addresses', '', 'no address was tested', ''])
    if o['families']:
        lines.extend(['### IP families', ''])
        lines.extend(_table(['peer with only', 'verdict', 'why'], [
            [md_text(f['family']), _mark(f['ok']), _cell(f['reason'])] for f in o['families']]))
    if o['has_notaries']:
        lines.extend(_notaries(o['notaries']))
    if o['warnings']:
        lines.extend(['### Warnings', ''] + _findings(o['warnings']))
    return lines


def render_reports_markdown(reports, catalogue=None, title=None, generated_at=None):
    """One report or several as Markdown: for several, an overview table first, then each server.

    ``catalogue`` gives each error's cause and fix (a code it lacks: its message and "no catalogue entry");
    ``generated_at`` is shown as given.
    """
    outlines = outline_reports(reports, catalogue)
    failing = sum(1 for o in outlines if not o['ok'])
    meta = '%d server(s): %d federate, %d fail' % (len(outlines), len(outlines) - failing, failing)
    if generated_at is not None:
        meta += ' \u00b7 generated at %s' % generated_at
    lines = ['# %s' % md_text(DEFAULT_TITLE if title is None else title), '', md_text(meta), '']
    if len(outlines) > 1:
        lines.extend(_table(['server', 'verdict', 'errors', 'warnings', 'error codes'], [
            [md_text(o['server_name']), o['verdict'] if o['ok'] else '**%s**' % o['verdict'], str(o['error_count']),
             str(o['warning_count']), _cell(', '.join(o['error_codes']), 'none')] for o in outlines]))
    for o in outlines:
        lines.extend(_server(o))
    return '\n'.join(lines).rstrip('\n') + '\n'
