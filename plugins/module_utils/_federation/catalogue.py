# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The error catalogue (``docs/errors.md``) as data.

The catalogue is markdown: sections (``## ...``) holding tables whose first
column is a code in CAPS_SNAKE. :func:`parse_catalogue` turns it into
``{code: {code, level, cause, fix, section}}`` so that reports can show an
admin the cause and the fix next to a code, and a unit test can hold the
catalogue and the codes the collection emits together.
"""

import os
import re

CATALOGUE_RELPATH = os.path.join('docs', 'errors.md')

# Words a level cell may start with, and the level each one means.
_LEVEL_WORDS = (
    ('warning', 'warning'),
    ('refusal', 'refusal'),
    ('notice', 'notice'),
    ('error', 'error'),
    ('module fails', 'error'),
    ('fails', 'error'),
)

_CODE = re.compile(r'^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$')
_HEADING = re.compile(r'^#{1,6}\s+(.*?)\s*#*\s*$')
_SEPARATOR = re.compile(r'^\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$')
_ANNOTATION = re.compile(r'\*\(([^)]*)\)\*')
_INLINE_FIX = re.compile(r'\s*\bFix:\s*', re.IGNORECASE)


def _split_row(line):
    """Split a markdown table row into its cells (``\\|`` is a literal pipe)."""
    text = line.strip()
    if text.startswith('|'):
        text = text[1:]
    if text.endswith('|') and not text.endswith('\\|'):
        text = text[:-1]
    cells = re.split(r'(?<!\\)\|', text)
    return [cell.strip() for cell in cells]


def _column_role(name):
    """Name the part of an entry a header cell holds, or None for other columns."""
    name = name.strip().strip('*').strip().lower()
    for role in ('code', 'level', 'check', 'cause', 'fix'):
        if name == role or name.startswith(role + ' '):
            return role
    return None


def _codes_in_cell(cell):
    """Return the codes a first cell names (``A / B``), or None when it names none."""
    text = _ANNOTATION.sub('', cell).replace('`', '').strip()
    if not text:
        return None
    parts = [part.strip() for part in re.split(r'[/,]', text)]
    if not all(_CODE.match(part) for part in parts):
        return None
    return parts


def _level_of(text, default):
    """Map a level cell (``warning (error in matrix_srv_check)``) to one word."""
    lowered = text.replace('`', '').strip().lower()
    for word, level in _LEVEL_WORDS:
        if lowered.startswith(word):
            return level
    return default


def _annotation_level(cell):
    """The level an annotation such as ``*(new, warning)*`` gives, or None."""
    for note in _ANNOTATION.findall(cell):
        for word in re.split(r'[,\s]+', note.lower()):
            for known, level in _LEVEL_WORDS:
                if word == known:
                    return level
    return None


def _entry(cells, roles, section):
    """Build the catalogue entry of one row, or None when the row names no code."""
    codes = _codes_in_cell(cells[0]) if cells else None
    if not codes:
        return None, None
    parts = {}
    for index, role in enumerate(roles):
        if role and index < len(cells) and role not in parts:
            parts[role] = cells[index]
    cause = parts.get('cause', '')
    fix = parts.get('fix', '')
    if not fix:
        pieces = _INLINE_FIX.split(cause, maxsplit=1)
        if len(pieces) == 2:
            cause, fix = pieces[0].rstrip(' .:;') + '.', pieces[1]
    level = _annotation_level(cells[0])
    if 'level' in parts:
        level = _level_of(parts['level'], level or 'error')
    elif 'check' in parts:
        level = _level_of(parts['check'], level or 'error')
    entry = {
        'level': level or 'error',
        'cause': cause.strip(),
        'fix': fix.strip(),
        'section': section,
    }
    return codes, entry


def parse_catalogue(text):
    """Parse the catalogue markdown into ``{code: {code, level, cause, fix, section}}``.

    Every table whose first header cell is ``code`` (or starts with it, as
    ``code / refusal``) is read; its other columns are found by name
    (``level``, ``cause``, ``fix``; a ``check`` column stands for the level
    when there is no ``level``). A first cell may name several codes
    (``CERT_EXPIRED / CERT_NOT_YET_VALID``): each gets the row. Annotations
    such as ``*(new, warning)*`` are dropped from the code and give the
    level when the table has no level column. A fix written in the cause as
    ``Fix: ...`` is moved to ``fix``. Rows whose first cell is not a code
    (role refusals quoted by their message) are skipped. ``level`` is one of
    ``error``, ``warning``, ``refusal``, ``notice``; ``section`` is the text
    of the nearest heading above the table.

    Raises ValueError naming the code when a code is listed twice.
    """
    catalogue = {}
    section = ''
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        heading = _HEADING.match(line)
        if heading:
            section = heading.group(1).strip()
            index += 1
            continue
        is_header = (line.lstrip().startswith('|') and index + 1 < len(lines)
                     and _SEPARATOR.match(lines[index + 1].strip()))
        if not is_header:
            index += 1
            continue
        roles = [_column_role(name) for name in _split_row(line)]
        index += 2
        while index < len(lines) and lines[index].lstrip().startswith('|'):
            if roles and roles[0] == 'code':
                codes, entry = _entry(_split_row(lines[index]), roles, section)
                for code in codes or ():
                    if code in catalogue:
                        raise ValueError(
                            'code %s is listed twice in the error catalogue (sections "%s" and "%s")'
                            % (code, catalogue[code]['section'], section))
                    catalogue[code] = dict(entry, code=code)
            index += 1
    return catalogue


def catalogue_path():
    """Return the path of ``docs/errors.md`` in the collection this file belongs to."""
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(os.path.dirname(here)))
    return os.path.join(root, CATALOGUE_RELPATH)


def load_catalogue(path=None):
    """Read and parse the catalogue; ``{}`` when the file does not exist.

    ``path`` defaults to the collection's own ``docs/errors.md`` (shipped in
    the built collection).
    """
    path = path or catalogue_path()
    try:
        with open(path, encoding='utf-8') as handle:
            text = handle.read()
    except FileNotFoundError:
        return {}
    return parse_catalogue(text)
