# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Set values in a YAML file in place, keeping every other byte.

Homeservers such as Dendrite read one YAML file with no include directory, so
a role that manages a few of its keys must edit the admin's file. Loading and
dumping it would drop comments, reorder keys and change quoting. Instead this
module locates each managed value with PyYAML's composer (which records where
every node starts and ends in the text) and replaces only that span:

* a scalar that already has the wanted value is not touched at all;
* a different scalar is replaced in place (a comment after it stays);
* a collection is replaced by a one-line flow value (JSON, which is YAML);
  a comment on the key's line is kept, comments inside the old value go with it;
* a missing key is inserted after the last entry of its mapping, at that
  mapping's indentation (missing parents are created).

Everything outside the managed values (comments, blank lines, order, quoting,
keys the caller does not manage) stays byte for byte.
"""

import json
import re

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError

try:
    import yaml
    HAS_YAML = True
except ImportError:  # pragma: no cover - PyYAML ships with Ansible
    HAS_YAML = False

_PLAIN_SAFE_RE = re.compile(r'^[A-Za-z0-9_./+-][A-Za-z0-9_./:+-]*$')


def flatten(settings, prefix=()):
    """``[(path tuple, value)]`` for every non-mapping value of the nested dict ``settings``."""
    items = []
    for key, value in settings.items():
        path = prefix + (str(key),)
        if isinstance(value, dict) and value:
            items.extend(flatten(value, path))
        else:
            items.append((path, value))
    return items


def render_value(value):
    """One-line YAML for ``value``: plain where unambiguous, else JSON (a subset of YAML)."""
    if isinstance(value, str) and _PLAIN_SAFE_RE.match(value) and yaml.safe_load(value) == value:
        return value
    return json.dumps(value, sort_keys=True)


def _compose(text, source):
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise FederationError('YAML_INVALID', '%s is not valid YAML: %s' % (source, exc))
    if node is None:
        return None
    if not isinstance(node, yaml.MappingNode):
        raise FederationError('YAML_NOT_MAPPING', '%s does not hold a mapping at its top level' % source)
    return node


def _construct(node):
    loader = yaml.SafeLoader('')
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def _content_end(node):
    """Index just after the last character that belongs to ``node`` (not the comments after it)."""
    if isinstance(node, yaml.ScalarNode) or node.flow_style:
        return node.end_mark.index
    children = node.value if isinstance(node, yaml.SequenceNode) else [part for pair in node.value for part in pair]
    if not children:
        return node.end_mark.index
    return max(_content_end(child) for child in children)


def _find(mapping, key):
    for key_node, value_node in mapping.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return key_node, value_node
    return None, None


def _line_end(text, index):
    end = text.find('\n', index)
    return len(text) if end < 0 else end


def _nested_block(path, value, indent):
    lines = []
    for depth, part in enumerate(path[:-1]):
        lines.append('%s%s:' % (' ' * (indent + 2 * depth), part))
    lines.append('%s%s: %s' % (' ' * (indent + 2 * (len(path) - 1)), path[-1], render_value(value)))
    return '\n'.join(lines)


def _nested_value(path, value):
    for part in reversed(path):
        value = {part: value}
    return value


def _set_one(text, path, value, source):
    """Text with ``path`` set to ``value``, or the same text when it already is."""
    root = _compose(text, source)
    if root is None:
        prefix = text if not text.strip() or text.endswith('\n') else text + '\n'
        return prefix + _nested_block(path, value, 0) + '\n'
    mapping = root
    for depth, part in enumerate(path):
        key_node, value_node = _find(mapping, part)
        rest = path[depth:]
        if key_node is None:
            if mapping.flow_style:
                merged = _construct(mapping)
                merged.update(_nested_value(rest, value))
                return text[:mapping.start_mark.index] + render_value(merged) + text[mapping.end_mark.index:]
            if mapping is root:
                prefix = '' if not text or text.endswith('\n') else '\n'
                return text + prefix + _nested_block(rest, value, 0) + '\n'
            indent = mapping.value[0][0].start_mark.column
            at = _line_end(text, _content_end(mapping))
            return text[:at] + '\n' + _nested_block(rest, value, indent) + text[at:]
        if depth < len(path) - 1 and isinstance(value_node, yaml.MappingNode):
            mapping = value_node
            continue
        if depth < len(path) - 1:
            # A null or scalar where a mapping is needed (e.g. "presence:" with no value): replace it.
            value = _nested_value(path[depth + 1:], value)
        if _construct(value_node) == value and type(_construct(value_node)) is type(value):
            return text
        colon = text.index(':', key_node.end_mark.index)
        if isinstance(value_node, yaml.ScalarNode) and value_node.value == '' and value_node.style is None:
            # "key:" with nothing after it: the value goes right after the colon.
            return text[:colon + 1] + ' ' + render_value(value) + text[colon + 1:]
        if isinstance(value_node, yaml.ScalarNode) or value_node.flow_style:
            start, end = value_node.start_mark.index, _content_end(value_node)
            if getattr(value_node, 'style', None) in ('|', '>'):
                end = start + len(text[start:end].rstrip())
            return text[:start] + render_value(value) + text[end:]
        # A block collection: put the new flow value after the colon, keep a comment on the key's line.
        first_line = text[colon + 1:_line_end(text, colon)].strip()
        replacement = ' ' + render_value(value) + (('  ' + first_line) if first_line.startswith('#') else '')
        return text[:colon + 1] + replacement + text[_content_end(value_node):]
    return text  # pragma: no cover - the loop always returns


def set_values(text, settings, source='the YAML file'):
    """``text`` with every value of the nested dict ``settings`` set in place.

    Only the values named in ``settings`` change; the result is checked to
    load to the same data as the original plus the settings, so an edit can
    never corrupt the rest of the file.
    """
    if not HAS_YAML:  # pragma: no cover
        raise FederationError('MISSING_LIBRARY', 'PyYAML is required')
    if not isinstance(settings, dict):
        raise FederationError('BAD_SETTINGS', 'the settings must be a mapping, not %s' % type(settings).__name__)
    original = _compose(text, source)
    expected = _construct(original) if original is not None else {}
    result = text
    for path, value in flatten(settings):
        result = _set_one(result, path, value, source)
        target = expected
        for part in path[:-1]:
            if not isinstance(target.get(part), dict):
                target[part] = {}
            target = target[part]
        target[path[-1]] = value
    loaded = yaml.safe_load(result) or {}
    if loaded != expected:  # pragma: no cover - a bug guard, never expected to fire
        raise FederationError('YAML_EDIT_FAILED', 'editing %s in place gave an unexpected result; nothing was written'
                              % source)
    return result


def unknown_paths(settings, reference_text, source='the reference'):
    """Dotted names of the ``settings`` paths that do not exist in ``reference_text``.

    ``reference_text`` is a complete configuration with every known option
    (for Dendrite, the output of ``generate-config -normalise``). Each path is
    followed while the reference holds a mapping; a path that leaves it names
    an option the program does not have (and would silently ignore).
    """
    reference = yaml.safe_load(reference_text) or {}
    unknown = []
    for path, dummy in flatten(settings):
        node = reference
        for part in path:
            if not isinstance(node, dict):
                break
            if part not in node:
                unknown.append('.'.join(path))
                break
            node = node[part]
    return unknown
