# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Federation reports as one self-contained HTML page (pure: plain data in, a string out).

The page loads nothing: inline CSS, no script, no font, no image, and a
Content-Security-Policy that forbids every load but inline style, so a
browser shows any load that slipped in as an error. Reports carry text the
tested servers chose (names, messages quoting their answers, certificate
subjects), so every value is escaped here, and characters HTML does not
allow in text (controls, lone surrogates, non-characters) become U+FFFD.
"""

import re
from html import escape

from ansible_collections.matrix.federation.plugins.module_utils._federation.render_outline import (
    GO_CHECK_NAMES,
    keys_answer_text,
    outline_reports,
)

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
DEFAULT_TITLE = 'Matrix federation report'

# C0 controls but tab and newline, DEL, C1 controls, lone surrogates (not encodable as UTF-8) and the
# non-characters: HTML calls them parse errors; they are replaced, never passed on.
_NOT_HTML_CHAR = re.compile('[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]')

_CODE_SPAN = re.compile('`([^`]+)`')

_STYLE = """
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #ffffff; --muted: #5b6570; --line: #d5dae0;
  --ok: #1a7f37; --ok-bg: #dafbe1; --fail: #b42318; --fail-bg: #ffebe9; --warn: #9a6700; --warn-bg: #fff8c5;
  --head: #f3f5f7; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1; --line: #30363d;
  --ok: #3fb950; --ok-bg: #12261e; --fail: #f85149; --fail-bg: #2d1214; --warn: #d29922; --warn-bg: #2b2111;
  --head: #161b22; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 78rem; padding: 1.5rem; color: var(--fg); background: var(--bg);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.3rem; margin: 0; overflow-wrap: anywhere; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .4rem; }
h4 { font-size: .95rem; margin: .9rem 0 .3rem; }
p { margin: .3rem 0; }
.meta, .muted { color: var(--muted); }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .88em; }
table { border-collapse: collapse; width: 100%; margin: .3rem 0 .6rem; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top;
  overflow-wrap: anywhere; }
th { background: var(--head); font-weight: 600; }
table.kv th { width: 13rem; }
section.server { border: 1px solid var(--line); border-left: .4rem solid var(--ok); border-radius: .4rem;
  padding: 1rem 1.25rem; margin: 1.5rem 0; }
section.server.failing { border-left-color: var(--fail); }
.head { display: flex; gap: .75rem; align-items: baseline; flex-wrap: wrap; }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: 1rem; font-weight: 600; font-size: .85rem;
  white-space: nowrap; }
.ok { color: var(--ok); }
.fail { color: var(--fail); }
.warn { color: var(--warn); }
.badge.ok { background: var(--ok-bg); }
.badge.fail { background: var(--fail-bg); }
.badge.warn { background: var(--warn-bg); }
td.ok, td.fail { font-weight: 600; text-align: center; }
table.checks th { font-size: .78rem; }
table.checks td:nth-child(-n+2), table.checks th:nth-child(-n+2), table.families td:nth-child(-n+2),
  table.families th:nth-child(-n+2) { overflow-wrap: normal; white-space: nowrap; }
ul.findings { list-style: none; padding: 0; margin: .3rem 0; }
ul.findings li { border: 1px solid var(--line); border-radius: .3rem; padding: .45rem .6rem; margin: .35rem 0; }
ul.findings li.error { border-left: .3rem solid var(--fail); }
ul.findings li.warning { border-left: .3rem solid var(--warn); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .15rem .6rem; margin: .35rem 0 0; }
dt { font-weight: 600; color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
details { border: 1px solid var(--line); border-radius: .3rem; padding: .3rem .6rem; margin: .4rem 0; }
summary { cursor: pointer; font-weight: 600; }
a { color: inherit; }
nav.back { font-size: .85rem; margin-top: .8rem; }
footer { color: var(--muted); font-size: .85rem; margin-top: 2rem; }
@media print { section.server { break-before: page; } section.server:first-of-type { break-before: auto; } }
"""


def html_text(value):
    """``value`` as HTML text or attribute content: markup and quotes escaped, forbidden characters replaced."""
    return escape(_NOT_HTML_CHAR.sub('\ufffd', str(value)), quote=True)


def _cell(value, empty='\u2013'):
    return html_text(value) if value not in (None, '', []) else '<span class="muted">%s</span>' % empty


def _yes_no(value, yes='ok', no='FAIL'):
    if value is None:
        return '<td class="muted">\u2013</td>'
    return '<td class="%s">%s</td>' % ('ok' if value else 'fail', yes if value else no)


def _badge(ok, text):
    return '<span class="badge %s">%s</span>' % ('ok' if ok else 'fail', html_text(text))


def _table(headers, rows, css=''):
    head = ''.join('<th>%s</th>' % h for h in headers)
    return '<table%s><thead><tr>%s</tr></thead><tbody>\n%s\n</tbody></table>' % (
        ' class="%s"' % css if css else '', head, '\n'.join('<tr>%s</tr>' % ''.join(r) for r in rows))


def _kv(pairs):
    rows = ['<tr><th>%s</th><td>%s</td></tr>' % (html_text(k), v) for k, v in pairs]
    return '<table class="kv"><tbody>\n%s\n</tbody></table>' % '\n'.join(rows)


def _catalogue_text(value):
    """Catalogue text (markdown from docs/errors.md): escaped, its `code spans` shown as code."""
    return _CODE_SPAN.sub(r'<code>\1</code>', html_text(value))


def _findings(findings, level):
    items = []
    for f in findings:
        parts = ['<code>%s</code> %s' % (html_text(f['code']), html_text(f['message']))]
        details = []
        if f['known']:
            details.append('<dt>cause</dt><dd>%s</dd>' % (_catalogue_text(f['cause']) or _cell(None)))
            if f['fix']:
                details.append('<dt>fix</dt><dd>%s</dd>' % _catalogue_text(f['fix']))
            if f['section']:
                details.append('<dt>catalogue</dt><dd>%s</dd>' % _catalogue_text(f['section']))
        else:
            details.append('<dt>cause</dt><dd class="muted">%s</dd>' % html_text(f['cause']))
        parts.append('<dl>%s</dl>' % ''.join(details))
        items.append('<li class="%s">%s</li>' % (level, ''.join(parts)))
    return '<ul class="findings">\n%s\n</ul>' % '\n'.join(items)


def _resolution(res):
    wk = res['well_known']
    out = ['<h3>Resolution</h3>', '<p>%s</p>' % html_text(res['method_text'])]
    pairs = [('method', _cell(res['method'])), ('delegated host', _cell(res['delegated_hostname'])),
             ('Host header', _cell(res['host_header'])), ('TLS name (SNI)', _cell(res['sni'], 'none: IP literal'))]
    if wk['fetched']:
        pairs.append(('well-known', '%s: %s' % (_cell(wk['url']), _cell(
            'm.server %s' % wk['m_server'] if wk['m_server'] else wk['error'] or 'HTTP %s' % wk['status']))))
        pairs.append(('well-known cache', _cell(wk['cache'])))
    else:
        pairs.append(('well-known', '<span class="muted">not fetched (the spec skips it for this name)</span>'))
    out.append(_kv(pairs))
    if wk['by_address']:
        out.append('<h4>Well-known per address</h4>')
        out.append(_table(['address', 'HTTP status', 'delegation (m.server)', 'why none'], [
            ['<td class="mono">%s</td>' % html_text(a['ip']), '<td>%s</td>' % _cell(a['status']),
             '<td>%s</td>' % _cell(a['m_server'], 'none'), '<td>%s</td>' % _cell(a['error'])]
            for a in wk['by_address']]))
    if res['srv']:
        out.append('<h4>SRV records</h4>')
        out.append(_table(['name', 'records (priority weight port target)', 'error'], [
            ['<td class="mono">%s</td>' % html_text(s['name']),
             '<td class="mono">%s</td>' % ('<br>'.join(html_text(r) for r in s['records']) or _cell(None, 'none')),
             '<td>%s</td>' % _cell(s['error'])] for s in res['srv']]))
    if res['targets']:
        out.append('<h4>Targets</h4>')
        out.append(_table(['host', 'port', 'SRV priority', 'SRV weight', 'addresses'], [
            ['<td class="mono">%s</td>' % html_text(t['host']), '<td>%s</td>' % _cell(t['port']),
             '<td>%s</td>' % _cell(t['priority']), '<td>%s</td>' % _cell(t['weight']),
             '<td class="mono">%s</td>' % (', '.join(html_text(a) for a in t['addresses']) or _cell(None, 'none'))]
            for t in res['targets']]))
    return '\n'.join(out)


def _media(media):
    if not media:
        return '<td class="muted">not asked</td>'
    verdict = media.get('verdict')
    css = 'ok' if verdict == 'homeserver' else 'warn'
    detail = ' '.join(str(media[k]) for k in ('status', 'errcode') if media.get(k) is not None)
    return '<td><span class="%s">%s</span>%s</td>' % (css, html_text(verdict), ' <span class="muted">(%s)</span>'
                                                      % html_text(detail) if detail else '')


def _addresses(addresses):
    headers = ['address', 'verdict'] + [GO_CHECK_NAMES[c] for c in GO_CHECK_NAMES] + ['media route']
    rows = []
    for a in addresses:
        if a['reachable']:
            checks = [_yes_no(c['ok']) for c in a['checks']]
        else:
            checks = ['<td class="muted">\u2013</td>'] * len(GO_CHECK_NAMES)
        rows.append(['<td class="mono">%s</td>' % html_text(a['address']),
                     '<td>%s</td>' % _badge(a['ok'], a['verdict'])] + checks
                    + [_media(a['media'])])
    out = ['<h3>Addresses</h3>', _table(headers, rows, 'checks')]
    for a in addresses:
        if not a['reachable']:
            continue
        body = []
        if a['failing_checks']:
            body.append('<p class="fail">failing checks: %s</p>' % html_text(', '.join(a['failing_checks'])))
        body.append(_kv([('TLS', _cell(a['tls'])), ('TLS name (SNI)', _cell(a['tls_name'], 'none')),
                         ('Host header', _cell(a['host_header'])),
                         ('certificate error', _cell(a['certificate_error'], 'none')),
                         ('software', _cell(a['version']))]))
        if a['certificates']:
            body.append('<h4>Certificates (leaf first)</h4>')
            body.append(_table(['subject', 'SANs', 'issuer', 'expires', 'days left', 'SHA-256'], [
                ['<td>%s</td>' % _cell(c['subject']), '<td class="mono">%s</td>' % _cell(', '.join(c['sans'])),
                 '<td>%s</td>' % _cell(c['issuer']), '<td>%s</td>' % _cell(c['not_after']),
                 '<td>%s</td>' % _cell(c['days_until_expiry']),
                 '<td class="mono">%s</td>' % _cell(c['sha256_fingerprint'] or c['parse_error'])]
                for c in a['certificates']]))
        body.append('<h4>Signing keys</h4>')
        checks = dict((c['key_id'], c) for c in a['ed25519_checks'])
        key_rows = [['<td class="mono">%s</td>' % html_text(k['key_id']), '<td class="mono">%s</td>' % _cell(k['key']),
                     _yes_no(checks.get(k['key_id'], {}).get('valid_ed25519')),
                     _yes_no(checks.get(k['key_id'], {}).get('matching_signature'))] for k in a['keys']]
        key_rows.extend(['<td class="mono">%s</td>' % html_text(k['key_id']),
                         '<td class="muted">old key, expired %s</td>' % _cell(k['expired']),
                         '<td class="muted">\u2013</td>', '<td class="muted">\u2013</td>'] for k in a['old_keys'])
        body.append(_kv([('server_name in the keys', _cell(a['keys_server_name'])),
                         ('valid until', _cell(a['valid_until']))]))
        if key_rows:
            body.append(_table(['key ID', 'public key', 'ValidEd25519', 'MatchingSignature'], key_rows))
        if a['errors']:
            body.append(_findings(a['errors'], 'error'))
        if a['warnings']:
            body.append(_findings(a['warnings'], 'warning'))
        out.append('<details%s><summary>%s: certificates, keys</summary>\n%s\n</details>' % (
            '' if a['ok'] else ' open', html_text(a['address']), '\n'.join(body)))
    return '\n'.join(out)


def _families(families):
    return '<h3>IP families</h3>\n' + _table(['peer with only', 'verdict', 'why'], [
        ['<td>%s</td>' % html_text(f['family']), _yes_no(f['ok']), '<td>%s</td>' % _cell(f['reason'])]
        for f in families], 'families')


def _keys_answer(answer):
    text = keys_answer_text(answer)
    return '<span class="muted">nothing</span>' if text is None else html_text(text)


def _notaries(notaries):
    rows = []
    for n in notaries:
        if n['skipped']:
            rows.append(['<td class="mono">%s</td>' % html_text(n['name']),
                         '<td colspan="5" class="warn">skipped: %s</td>' % html_text(n['skipped'])])
            continue
        findings = ', '.join(str(f['code']) for f in n['errors'] + n['warnings'])
        rows.append(['<td class="mono">%s<br><span class="muted">%s</span></td>' % (
            html_text(n['name']), _cell(n['address'], 'no address')),
            _yes_no(n['reachable'], 'yes', 'no'), _yes_no(n['notary_key_verified'], 'yes', 'no'),
            _yes_no(n['current_key_present'], 'yes', 'no'),
            '<td>cached: %s<br>asked: %s</td>' % (_keys_answer(n['cached']), _keys_answer(n['queried'])),
            '<td>%s</td>' % _cell(findings, 'none')])
    return '<h3>Notaries</h3>\n' + _table(['notary', 'reachable', 'own key verified', 'holds the current key',
                                           'what it holds', 'findings'], rows)


def _server(o, several):
    css = 'server' if o['ok'] else 'server failing'
    out = ['<section class="%s" id="%s">' % (css, o['anchor']),
           '<div class="head">%s<h2>%s</h2></div>' % (_badge(o['ok'], o['verdict']), html_text(o['server_name']))]
    facts = ['%d error(s), %d warning(s)' % (o['error_count'], o['warning_count'])]
    if o['version']:
        facts.append('software: ' + o['version'])
    if o['duration_ms'] is not None:
        facts.append('tested in %s ms' % o['duration_ms'])
    out.append('<p class="meta">%s</p>' % html_text(' \u00b7 '.join(facts)))
    if o['errors']:
        out.append('<h3 class="fail">Errors</h3>')
        out.append(_findings(o['errors'], 'error'))
    out.append(_resolution(o['resolution']))
    if o['addresses']:
        out.append(_addresses(o['addresses']))
    else:
        out.append('<h3>Addresses</h3><p class="muted">no address was tested</p>')
    if o['families']:
        out.append(_families(o['families']))
    if o['has_notaries']:
        out.append(_notaries(o['notaries']))
    if o['warnings']:
        out.append('<h3 class="warn">Warnings</h3>')
        out.append(_findings(o['warnings'], 'warning'))
    if several:
        out.append('<nav class="back"><a href="#overview">back to the overview</a></nav>')
    out.append('</section>')
    return '\n'.join(out)


def _overview(outlines):
    rows = [['<td><a href="#%s">%s</a></td>' % (o['anchor'], html_text(o['server_name'])),
             '<td>%s</td>' % _badge(o['ok'], o['verdict']),
             '<td class="%s">%d</td>' % ('fail' if o['error_count'] else 'muted', o['error_count']),
             '<td class="%s">%d</td>' % ('warn' if o['warning_count'] else 'muted', o['warning_count']),
             '<td class="mono">%s</td>' % _cell(', '.join(o['error_codes']), 'none')] for o in outlines]
    return '<section id="overview">\n<h2>Overview</h2>\n%s\n</section>' % _table(
        ['server', 'verdict', 'errors', 'warnings', 'error codes'], rows)


def render_reports_html(reports, catalogue=None, title=None, generated_at=None):
    """One self-contained HTML page for one report or several (``render_outline.report_list`` shapes).

    ``catalogue`` is ``{code: {level, cause, fix, section}}`` (``catalogue.load_catalogue()``); a code it
    lacks shows its message and "no catalogue entry". ``generated_at`` is shown as given (the caller reads
    the clock). For several servers an overview table with links to each server's section comes first.
    """
    outlines = outline_reports(reports, catalogue)
    title = DEFAULT_TITLE if title is None else title
    failing = sum(1 for o in outlines if not o['ok'])
    meta = '%d server(s): %d federate, %d fail' % (len(outlines), len(outlines) - failing, failing)
    if generated_at is not None:
        meta += ' \u00b7 generated at %s' % generated_at
    parts = ['<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">',
             '<meta http-equiv="Content-Security-Policy" content="%s">' % html_text(CSP),
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             '<meta name="referrer" content="no-referrer">',
             '<title>%s</title>' % html_text(title), '<style>%s</style>' % _STYLE, '</head>', '<body>',
             '<header><h1>%s</h1><p class="meta">%s</p></header>' % (html_text(title), html_text(meta))]
    several = len(outlines) > 1
    if several:
        parts.append(_overview(outlines))
    if not outlines:
        parts.append('<p class="muted">no report</p>')
    parts.extend(_server(o, several) for o in outlines)
    parts.append('<footer>matrix.federation federation tester. Codes, causes and fixes: the collection\'s '
                 'docs/errors.md.</footer>')
    parts.extend(['</body>', '</html>', ''])
    return '\n'.join(parts)
