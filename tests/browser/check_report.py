# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Open an HTML report in headless Chromium, without network, and fail on anything it had to complain about.

Usage: python tests/browser/check_report.py [--screenshot OUT.png] [--width 1280] [--height 0] [REPORT.html]

Without REPORT.html the federation_report_html filter renders the stored lab
samples (tests/unit/.../fixtures/reports_lab.json: passing, warning and
failing servers). Chromium is driven over the DevTools protocol on a pipe
(--remote-debugging-pipe, standard library only). The check fails on any
console error or warning-level problem the page causes: a console message
of level error, an uncaught exception, a Content-Security-Policy violation
(Chromium logs it as an error), a request for anything but the file itself
and data: URLs, or a failed load. The screenshot (PNG) is checked for its
dimensions and size; ``--height 0`` takes the whole page.

Exit status 0 when the page is clean, 1 with one line per problem otherwise.
"""

import argparse
import base64
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
COLLECTION = os.path.abspath(os.path.join(HERE, '..', '..'))
SAMPLES = os.path.join(COLLECTION, 'tests', 'unit', 'plugins', 'module_utils', '_federation', 'fixtures',
                       'reports_lab.json')

# No network at all: no background services, no DNS (every name fails), every proxied request to a closed port.
CHROMIUM_FLAGS = (
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--hide-scrollbars',
    '--no-first-run', '--no-default-browser-check', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--disable-extensions', '--disable-default-apps', '--disable-domain-reliability',
    '--disable-client-side-phishing-detection', '--disable-breakpad', '--no-pings', '--metrics-recording-only',
    '--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication,CertificateTransparencyComponentUpdater',
    '--host-resolver-rules=MAP * ~NOTFOUND', '--proxy-server=http://127.0.0.1:9', '--proxy-bypass-list=<-loopback>',
    '--remote-debugging-pipe',
)
TIMEOUT = 60.0


def find_chromium():
    for name in ('chromium', 'chromium-browser', 'google-chrome'):
        path = shutil.which(name)
        if path:
            return path
    return None


def _child_pipes(read_fd, write_fd):
    """In the child: the protocol's pipe on fd 3 (commands in) and fd 4 (answers out)."""
    def setup():
        high_read = os.dup(read_fd)
        high_write = os.dup(write_fd)
        os.dup2(high_read, 3)
        os.dup2(high_write, 4)
    return setup


class Browser:
    """Chromium with the DevTools protocol on a pipe: send commands, collect events."""

    def __init__(self, chromium, profile):
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()
        self.proc = subprocess.Popen(  # pylint: disable=consider-using-with
            [chromium, '--user-data-dir=%s' % profile] + list(CHROMIUM_FLAGS) + ['about:blank'],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            pass_fds=(3, 4), preexec_fn=_child_pipes(to_browser_read, from_browser_write))  # pylint: disable=subprocess-popen-preexec-fn
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._buffer = b''
        self._next_id = 0
        self.events = []

    def _read_message(self, deadline):
        while b'\0' not in self._buffer:
            if time.monotonic() > deadline:
                raise TimeoutError('Chromium did not answer in time')
            chunk = os.read(self._from_browser, 65536)
            if not chunk:
                raise RuntimeError('Chromium closed the protocol pipe: %s' % self.proc.stderr.read().decode(
                    'utf-8', 'replace')[-2000:])
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b'\0', 1)
        return json.loads(message.decode('utf-8'))

    def call(self, method, params=None, session=None, timeout=TIMEOUT):
        """Send a command and return its result; events that arrive meanwhile are kept in ``events``."""
        self._next_id += 1
        command = {'id': self._next_id, 'method': method, 'params': params or {}}
        if session:
            command['sessionId'] = session
        os.write(self._to_browser, json.dumps(command).encode('utf-8') + b'\0')
        deadline = time.monotonic() + timeout
        while True:
            message = self._read_message(deadline)
            if message.get('id') == self._next_id:
                if 'error' in message:
                    raise RuntimeError('%s failed: %s' % (method, message['error']))
                return message.get('result', {})
            if 'method' in message:
                self.events.append(message)

    def wait_for(self, method, timeout=TIMEOUT):
        """Wait until the event ``method`` arrives (or has arrived)."""
        deadline = time.monotonic() + timeout
        while not any(event['method'] == method for event in self.events):
            self.events.append(self._read_message(deadline))

    def drain(self, seconds):
        """Collect the events of the next ``seconds`` (late console messages, reports)."""
        deadline = time.monotonic() + seconds
        self._read_until(deadline)

    def _read_until(self, deadline):
        import select  # pylint: disable=import-outside-toplevel
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            if b'\0' not in self._buffer and not select.select([self._from_browser], [], [], remaining)[0]:
                return
            self.events.append(self._read_message(deadline + 5))

    def close(self):
        try:
            self.call('Browser.close', timeout=10)
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        self.proc.stderr.close()


def problems_in(events, page_url):
    """Every event that says the page did something wrong, as one line each."""
    problems = []
    for event in events:
        method, params = event['method'], event.get('params', {})
        if method == 'Runtime.consoleAPICalled' and params.get('type') in ('error', 'assert', 'warning'):
            args = ' '.join(str(a.get('value', a.get('description', ''))) for a in params.get('args', []))
            problems.append('console %s: %s' % (params['type'], args))
        elif method == 'Runtime.exceptionThrown':
            details = params.get('exceptionDetails', {})
            problems.append('uncaught exception: %s' % (details.get('exception', {}).get('description')
                                                        or details.get('text')))
        elif method == 'Log.entryAdded' and params.get('entry', {}).get('level') in ('error', 'warning'):
            entry = params['entry']
            problems.append('console %s (%s): %s%s' % (entry['level'], entry.get('source'), entry.get('text'),
                                                       ' [%s]' % entry['url'] if entry.get('url') else ''))
        elif method == 'Network.requestWillBeSent':
            url = params.get('request', {}).get('url', '')
            if url != page_url and not url.startswith('data:'):
                problems.append('the page requested %s' % url)
        elif method == 'Network.loadingFailed' and not params.get('canceled'):
            problems.append('a load failed: %s %s' % (params.get('errorText'), params.get('blockedReason') or ''))
    return problems


def png_size(data):
    """(width, height) from a PNG's IHDR chunk."""
    if data[:8] != b'\x89PNG\r\n\x1a\n' or data[12:16] != b'IHDR':
        raise ValueError('not a PNG')
    return struct.unpack('>II', data[16:24])


def check_page(path, screenshot=None, width=1280, height=0, chromium=None):
    """Open ``path``; return ``(problems, png_bytes, (width, height), page_height)``."""
    chromium = chromium or find_chromium()
    if not chromium:
        raise RuntimeError('no Chromium found: apt-get install chromium (make setup installs it)')
    page_url = 'file://' + os.path.abspath(path)
    profile = tempfile.mkdtemp(prefix='check-report-')
    browser = Browser(chromium, profile)
    try:
        targets = browser.call('Target.getTargets')['targetInfos']
        page = [t for t in targets if t['type'] == 'page']
        target = page[0]['targetId'] if page else browser.call('Target.createTarget', {'url': 'about:blank'})['targetId']
        session = browser.call('Target.attachToTarget', {'targetId': target, 'flatten': True})['sessionId']
        for domain in ('Page', 'Runtime', 'Log', 'Network'):
            browser.call(domain + '.enable', session=session)
        viewport = {'width': width, 'height': height or 900, 'deviceScaleFactor': 1, 'mobile': False}
        browser.call('Emulation.setDeviceMetricsOverride', viewport, session=session)
        browser.events = []
        browser.call('Page.navigate', {'url': page_url}, session=session)
        browser.wait_for('Page.loadEventFired')
        browser.drain(0.5)
        problems = problems_in(browser.events, page_url)
        metrics = browser.call('Page.getLayoutMetrics', session=session)
        page_height = int(metrics.get('cssContentSize', metrics.get('contentSize'))['height'])
        shot_height = page_height if not height else min(height, page_height)
        shot = browser.call('Page.captureScreenshot', {
            'format': 'png', 'captureBeyondViewport': True,
            'clip': {'x': 0, 'y': 0, 'width': width, 'height': shot_height, 'scale': 1}}, session=session)
        data = base64.b64decode(shot['data'])
        browser.drain(0.2)
        problems.extend(p for p in problems_in(browser.events, page_url) if p not in problems)
    finally:
        browser.close()
        shutil.rmtree(profile, ignore_errors=True)
    size = png_size(data)
    if screenshot:
        with open(screenshot, 'wb') as handle:
            handle.write(data)
    return problems, data, size, page_height


def render_samples(out_path):
    """The federation_report_html filter on the stored lab samples, written to ``out_path``."""
    sys.path.insert(0, os.path.join(COLLECTION, '.build', 'collections'))
    # pylint: disable=import-outside-toplevel
    from ansible_collections.matrix.federation.plugins.filter.federation_report import federation_report_html
    with open(SAMPLES, encoding='utf-8') as handle:
        batch = json.load(handle)
    with open(out_path, 'w', encoding='utf-8') as handle:
        handle.write(federation_report_html(batch, title='Federation lab', generated_at='sample run'))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('report', nargs='?', help='the HTML file (default: the lab samples, rendered)')
    parser.add_argument('--screenshot', help='write the PNG here')
    parser.add_argument('--width', type=int, default=1280)
    parser.add_argument('--height', type=int, default=0, help='screenshot height, 0 for the whole page')
    parser.add_argument('--min-bytes', type=int, default=10000, help='smallest PNG that counts as a page')
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.report
        if not path:
            path = os.path.join(tmp, 'report.html')
            render_samples(path)
        problems, data, (width, height), page_height = check_page(path, args.screenshot, args.width, args.height)
    if width != args.width or height < 200:
        problems.append('screenshot is %dx%d, expected %d wide and at least 200 high' % (width, height, args.width))
    if len(data) < args.min_bytes:
        problems.append('screenshot has %d bytes: an empty page?' % len(data))
    for problem in problems:
        sys.stdout.write('FAIL %s\n' % problem)
    sys.stdout.write('%s: %s, screenshot %dx%d (%d bytes), page %d px high\n' % (
        path if args.report else 'lab samples', 'clean' if not problems else '%d problem(s)' % len(problems),
        width, height, len(data), page_height))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
