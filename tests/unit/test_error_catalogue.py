# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""docs/errors.md and the code agree: every code the collection can emit is catalogued, and nothing else is.

The codes are collected from the source, not from a list kept by hand:

* Python (plugins/): the code of every ``FederationError(...)`` (and its
  subclasses), ``finding(...)``, ``code=`` keyword (``fail_json``), ``{'code': ...}``
  dict and ``x['code'] = ...`` store. The expression is resolved: literals,
  module and local constants, conditional expressions, ``{...}.get(...)`` on a
  dict literal, ``+`` of resolvable parts, and a function parameter through
  every call of that function in plugins/. A code read from another finding
  or exception (``exc.code``, ``error['code']``) re-emits a code collected at
  the place it was made. Anything else fails :func:`test_every_emission_site_is_resolved`
  with its file and line, unless it is in ``DYNAMIC`` below with its reason.
* YAML (roles/*/tasks, roles/*/handlers, playbooks/): a message of ``fail``,
  ``assert`` or ``debug`` that carries a code starts with it (``CODE: ...``,
  ``[WARNING] CODE: ...``).
"""

import ast
import os
import re

import pytest
import yaml

from ansible_collections.matrix.federation.plugins.module_utils._federation.catalogue import parse_catalogue

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
CATALOGUE = os.path.join(ROOT, 'docs', 'errors.md')
CODE = re.compile(r'^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$')
# A role or playbook message that carries a code starts with it.
YAML_CODE = re.compile(r'^\s*(?:\[(?:WARNING|ERROR|DEPRECATION WARNING)\]\s*)?([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+):\s')
YAML_MESSAGE_TASKS = ('fail', 'assert', 'debug')
YAML_MESSAGE_KEYS = ('msg', 'fail_msg', 'success_msg')


def _python_files():
    for base, _dirs, files in os.walk(os.path.join(ROOT, 'plugins')):
        for name in sorted(files):
            if name.endswith('.py'):
                yield os.path.relpath(os.path.join(base, name), ROOT)


def _codes_raised_in(*files):
    """DYNAMIC helper: every code emitted in these files."""
    def codes(found):
        return {code for code, sites in found.items() if any(site.split(':')[0] in files for site in sites)}
    return codes


_CLIENT_FILES = tuple('plugins/module_utils/_federation/%s.py' % name
                      for name in ('httpsclient', 'httpsurl', 'dnsclient', 'deadline'))
# Raised while the client is set up from the options, before any well-known is fetched.
_SETUP_CODES = ('INVALID_CA_PATH', 'INVALID_NAMESERVER')

# Emission sites the resolver cannot follow: (file, source of the code expression) -> a function of the
# codes found elsewhere giving the codes the site can emit, and why.
DYNAMIC = {
    # The well-known fetch names a failure of the HTTPS client (or of its DNS lookups) after the
    # well-known: WELLKNOWN_ + the client's code (RESPONSE_TOO_LARGE shortened to TOO_LARGE).
    ('plugins/module_utils/_federation/wellknown_fetch.py', "'WELLKNOWN_' + code"):
        lambda found: {'WELLKNOWN_' + {'RESPONSE_TOO_LARGE': 'TOO_LARGE', 'TIMEOUT': 'HTTP_TIMEOUT'}.get(code, code)
                       for code in _codes_raised_in(*_CLIENT_FILES)(found) if code not in _SETUP_CODES},
    # JUnit failure types named after the Go tester's checks (VALIDCERTIFICATES, ...): not codes of a
    # finding; the catalogue's "Checks" table names each check next to the codes that fail it.
    ('plugins/module_utils/_federation/render.py', 'check.upper()'): lambda found: set(),
    # The report renderers annotate the findings of a report with their catalogue entry: they pass the
    # finding's code on ('?' when it has none) and emit none of their own.
    ('plugins/module_utils/_federation/render_outline.py', "code if code is not None else '?'"): lambda found: set(),
    # The catalogue's own reader copies the codes of docs/errors.md into its entries.
    ('plugins/module_utils/_federation/catalogue.py', 'code'): lambda found: set(),
}


# Lists of (code, message) tuples: ``x.warnings.append((code, message))`` is an emission site, and a loop
# ``for code, message in ...warnings`` re-emits what was appended.
_FINDING_LISTS = ('warnings', 'errors')


# Catalogued codes that something the collector cannot see emits (none today): code -> what emits it.
# Keep this rare and explicit; a code here must still be in docs/errors.md.
EMITTED_OUT_OF_SIGHT = {}


class Unresolved(Exception):
    """An emission site whose code the collector cannot work out."""


class _Module(object):
    """One parsed Python file: its constants, functions and the parents of every node."""

    def __init__(self, path, source):
        self.path = path
        self.tree = ast.parse(source, filename=path)
        self.parents = {}
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
        self.constants = {}
        for node in self.tree.body:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.constants.setdefault(target.id, []).append(node.value)

    def enclosing_function(self, node):
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                return node
        return None


class Collector(object):
    """Collect ``{code: {site, ...}}`` from Python sources; unresolved sites in ``unresolved``."""

    def __init__(self, sources, dynamic=None):
        self.modules = [_Module(path, text) for path, text in sources]
        self.dynamic = DYNAMIC if dynamic is None else dynamic
        self.found = {}
        self.unresolved = []
        self.error_classes = self._error_classes()

    def _error_classes(self):
        names = {'FederationError'}
        changed = True
        while changed:
            changed = False
            for module in self.modules:
                for node in ast.walk(module.tree):
                    if isinstance(node, ast.ClassDef) and node.name not in names and any(
                            _name_of(base) in names for base in node.bases):
                        names.add(node.name)
                        changed = True
        return names

    def sites(self, module):
        """Yield ``(node, expression)`` for every place in ``module`` that gives a finding its code."""
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Call):
                name = _name_of(node.func)
                if (name in self.error_classes or name == 'finding') and node.args:
                    yield node, node.args[0]
                for keyword in node.keywords:
                    if keyword.arg == 'code':
                        yield node, keyword.value
            elif isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values):
                    if isinstance(key, ast.Constant) and key.value == 'code':
                        yield node, value
                    elif isinstance(key, ast.Constant) and key.value == 'codes':
                        for element in self._list_elements(module, value):
                            yield node, element
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Subscript) and _constant(target.slice) == 'code':
                        yield node, node.value
            if (isinstance(node, ast.Call) and _name_of(node.func) == 'append'
                    and _name_of(node.func.value) in _FINDING_LISTS and node.args
                    and isinstance(node.args[0], ast.Tuple) and node.args[0].elts):
                yield node, node.args[0].elts[0]

    def _list_elements(self, module, expr):
        """The elements of a list of codes: a literal, or a local list built with ``append``."""
        if isinstance(expr, (ast.List, ast.Tuple)):
            return list(expr.elts)
        if isinstance(expr, ast.Subscript) and _constant(expr.slice) == 'codes':
            return []
        if isinstance(expr, ast.Name):
            elements = []
            for value in self._assignments(module, expr, expr.id):
                elements.extend(self._list_elements(module, value))
            function = module.enclosing_function(expr)
            for node in ast.walk(function) if function is not None else ():
                if (isinstance(node, ast.Call) and _name_of(node.func) == 'append'
                        and _name_of(node.func.value) == expr.id and node.args):
                    elements.append(node.args[0])
            return elements
        return [expr]

    def collect(self):
        pending = []
        for module in self.modules:
            for node, expr in self.sites(module):
                site = '%s:%d' % (module.path, expr.lineno)
                key = (module.path, ast.unparse(expr))
                if key in self.dynamic:
                    pending.append((key, site))
                    continue
                try:
                    codes = self.resolve(module, expr, depth=0)
                except Unresolved as exc:
                    self.unresolved.append('%s: %s (%s)' % (site, ast.unparse(expr), exc))
                    continue
                for code in codes:
                    self._add(code, site)
        for key, site in pending:
            for code in self.dynamic[key](self.found):
                self._add(code, site)
        return self.found

    def _add(self, code, site):
        if not CODE.match(code):
            self.unresolved.append('%s: %r is not a CAPS_SNAKE code' % (site, code))
            return
        self.found.setdefault(code, set()).add(site)

    def resolve(self, module, expr, depth):
        """The codes ``expr`` can be; a code read from another finding adds none (it was made elsewhere)."""
        if depth > 8:
            raise Unresolved('too deep')
        if isinstance(expr, ast.Constant):
            if expr.value is None:
                return set()
            if isinstance(expr.value, str):
                return {expr.value}
            raise Unresolved('a constant that is not a string')
        if _reads_code(expr):
            return set()
        if _reads_code_or(expr):
            return self.resolve(module, expr.args[1], depth + 1)
        if isinstance(expr, ast.IfExp):
            return self.resolve(module, expr.body, depth + 1) | self.resolve(module, expr.orelse, depth + 1)
        if isinstance(expr, ast.BoolOp):
            codes = set()
            for value in expr.values:
                try:
                    codes |= self.resolve(module, value, depth + 1)
                except Unresolved:
                    if not isinstance(value, (ast.Name, ast.Compare)) or value is expr.values[-1]:
                        raise
            return codes
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            left = self.resolve(module, expr.left, depth + 1)
            right = self.resolve(module, expr.right, depth + 1)
            if not left or not right:
                raise Unresolved('a part of the concatenation is read from another finding')
            # An empty part (a prefix parameter's default '') builds no new code: the other part is
            # emitted as it is at its own site.
            return {a + b for a in left for b in right if a and b}
        if (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == 'get'
                and isinstance(expr.func.value, ast.Dict)):
            codes = set()
            for value in expr.func.value.values:
                codes |= self.resolve(module, value, depth + 1)
            for default in expr.args[1:]:
                codes |= self.resolve(module, default, depth + 1)
            return codes
        if isinstance(expr, ast.Subscript) and isinstance(expr.value, ast.Name):
            codes = set()
            for owner, table in self._dicts(module, expr.value, depth + 1):
                for value in table.values:
                    codes |= self.resolve(owner, value, depth + 1)
            return codes
        if isinstance(expr, ast.Name):
            return self._resolve_name(module, expr, depth)
        raise Unresolved('no rule for %s' % type(expr).__name__)

    def _is_emitter(self, module, function):
        """``finding()`` and the error classes' ``__init__``: every call of them is a site of its own."""
        if isinstance(function, ast.Lambda):
            return False
        if function.name == 'finding':
            return True
        parent = module.parents.get(function)
        return function.name == '__init__' and isinstance(parent, ast.ClassDef) and parent.name in self.error_classes

    def _dicts(self, module, expr, depth):
        """``[(module, dict literal)]`` a name used as a lookup table can be (through parameters too)."""
        if depth > 8:
            raise Unresolved('too deep')
        if isinstance(expr, ast.Dict):
            return [(module, expr)]
        if not isinstance(expr, ast.Name):
            raise Unresolved('a lookup table that is not a dict literal or a name')
        values = self._assignments(module, expr, expr.id) or module.constants.get(expr.id, [])
        if values:
            return [pair for value in values for pair in self._dicts(module, value, depth + 1)]
        imported = self._imported_constant(module, expr.id)
        if imported is not None:
            return self._dicts(imported[0], imported[1], depth + 1)
        function = module.enclosing_function(expr)
        if function is None or expr.id not in _parameters(function):
            raise Unresolved('cannot see the lookup table %s' % expr.id)
        return [pair for caller, arg in self._arguments(function, expr.id)
                for pair in self._dicts(caller, arg, depth + 1)]

    def _assignments(self, module, node, name):
        function = module.enclosing_function(node)
        if function is None:
            return []
        values = []
        for inner in ast.walk(function):
            if isinstance(inner, ast.Assign):
                for target in inner.targets:
                    if isinstance(target, ast.Name) and target.id == name:
                        values.append(inner.value)
            elif isinstance(inner, (ast.For, ast.comprehension)) and isinstance(inner.target, ast.Name) \
                    and inner.target.id == name:
                values.append(_Iterated(inner.iter))
            elif isinstance(inner, (ast.For, ast.comprehension)) and isinstance(inner.target, ast.Tuple) \
                    and any(isinstance(elt, ast.Name) and elt.id == name for elt in inner.target.elts):
                values.append(_Unpacked(inner.iter))
        return values

    def _resolve_name(self, module, expr, depth):
        name = expr.id
        function = module.enclosing_function(expr)
        values = self._assignments(module, expr, name)
        params = _parameters(function) if function is not None else []
        if not values and name in params and self._is_emitter(module, function):
            return set()
        if not values and name in params and function is not None and not isinstance(function, ast.Lambda):
            return self._resolve_parameter(function, params.index(name), name, depth)
        if not values:
            values = module.constants.get(name, [])
        if not values:
            imported = self._imported_constant(module, name)
            if imported is not None:
                return self.resolve(imported[0], imported[1], depth + 1)
            raise Unresolved('%s is not assigned in its function or module' % name)
        codes = set()
        for value in values:
            if isinstance(value, _Unpacked):
                if not all(_name_of(part) in _FINDING_LISTS for part in _operands(value.iter)):
                    raise Unresolved('unpacked from %s, not from lists of (code, message)' % ast.unparse(value.iter))
            elif isinstance(value, _Iterated):
                codes |= self._resolve_iterated(module, value.iter, depth)
            else:
                codes |= self.resolve(module, value, depth + 1)
        return codes

    def _resolve_iterated(self, module, iterable, depth):
        if isinstance(iterable, ast.Name):
            values = self._assignments(module, iterable, iterable.id) + module.constants.get(iterable.id, [])
            if len(values) == 1:
                iterable = values[0]
            else:
                imported = self._imported_constant(module, iterable.id)
                if imported is None:
                    raise Unresolved('cannot see what %s holds' % iterable.id)
                module, iterable = imported
        if isinstance(iterable, (ast.Tuple, ast.List, ast.Set)):
            codes = set()
            for element in iterable.elts:
                codes |= self.resolve(module, element, depth + 1)
            return codes
        raise Unresolved('iterates over %s' % ast.unparse(iterable))

    def _imported_constant(self, module, name):
        for node in ast.walk(module.tree):
            if isinstance(node, ast.ImportFrom) and any((alias.asname or alias.name) == name for alias in node.names):
                source = node.module.rsplit('.', 1)[-1]
                for other in self.modules:
                    if os.path.splitext(os.path.basename(other.path))[0] == source and name in other.constants:
                        return other, other.constants[name][-1]
        return None

    def _resolve_parameter(self, function, index, name, depth):
        codes = set()
        for caller, arg in self._arguments(function, name):
            codes |= self.resolve(caller, arg, depth + 1)
        return codes

    def _arguments(self, function, name):
        """``[(module, expression)]`` passed for parameter ``name`` at every call of ``function``."""
        index = _parameters(function).index(name)
        passed = []
        for module in self.modules:
            for node in ast.walk(module.tree):
                if not isinstance(node, ast.Call) or _name_of(node.func) != function.name:
                    continue
                offset = 1 if _is_method(function) and isinstance(node.func, ast.Attribute) else 0
                arg = None
                if 0 <= index - offset < len(node.args):
                    arg = node.args[index - offset]
                for keyword in node.keywords:
                    if keyword.arg == name:
                        arg = keyword.value
                if arg is None:
                    default = _default_of(function, name)
                    if default is None:
                        continue
                    arg, caller = default, self._module_of(function)
                else:
                    caller = module
                passed.append((caller, arg))
        if not passed:
            raise Unresolved('parameter %s of %s() is never passed' % (name, function.name))
        return passed

    def _module_of(self, node):
        for module in self.modules:
            if node in module.parents:
                return module
        raise Unresolved('lost the module of a default value')


class _Iterated(object):
    """Stands for a loop variable: it holds, in turn, each element of ``iter``."""

    def __init__(self, iterable):
        self.iter = iterable


class _Unpacked(_Iterated):
    """Stands for a name unpacked from each element of ``iter`` (``for code, message in warnings``)."""


def _operands(expr):
    """The lists a ``+`` of lists adds up."""
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        return _operands(expr.left) + _operands(expr.right)
    return [expr]


def _name_of(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _constant(node):
    return node.value if isinstance(node, ast.Constant) else None


def _reads_code(expr):
    """``exc.code``, ``error['code']``, ``item.get('code')``: the code of a finding made elsewhere."""
    if isinstance(expr, ast.Attribute) and expr.attr == 'code':
        return True
    if isinstance(expr, ast.Subscript) and _constant(expr.slice) == 'code':
        return True
    return (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == 'get'
            and expr.args and _constant(expr.args[0]) == 'code' and len(expr.args) == 1)


def _reads_code_or(expr):
    """``item.get('code', 'DEFAULT')``: a code made elsewhere, or the default."""
    return (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == 'get'
            and len(expr.args) == 2 and _constant(expr.args[0]) == 'code')


def _parameters(function):
    args = function.args
    return [arg.arg for arg in args.posonlyargs + args.args + args.kwonlyargs]


def _is_method(function):
    params = _parameters(function)
    return bool(params) and params[0] in ('self', 'cls')


def _default_of(function, name):
    args = function.args
    positional = args.posonlyargs + args.args
    defaults = dict(zip([arg.arg for arg in positional[len(positional) - len(args.defaults):]], args.defaults))
    defaults.update({arg.arg: default for arg, default in zip(args.kwonlyargs, args.kw_defaults) if default})
    return defaults.get(name)


def python_sources():
    sources = []
    for path in _python_files():
        with open(os.path.join(ROOT, path), encoding='utf-8') as handle:
            sources.append((path, handle.read()))
    return sources


def collect_python_codes():
    collector = Collector(python_sources())
    return collector.collect(), collector.unresolved


def _yaml_files():
    roles = os.path.join(ROOT, 'roles')
    for role in sorted(os.listdir(roles)):
        for part in ('tasks', 'handlers'):
            folder = os.path.join(roles, role, part)
            if os.path.isdir(folder):
                for name in sorted(os.listdir(folder)):
                    if name.endswith(('.yml', '.yaml')):
                        yield os.path.join('roles', role, part, name)
    for name in sorted(os.listdir(os.path.join(ROOT, 'playbooks'))):
        if name.endswith(('.yml', '.yaml')):
            yield os.path.join('playbooks', name)


def _tasks(node):
    """Every task dict in a task file or playbook, blocks and plays included."""
    if isinstance(node, list):
        for item in node:
            yield from _tasks(item)
    elif isinstance(node, dict):
        yield node
        for key in ('block', 'rescue', 'always', 'tasks', 'pre_tasks', 'post_tasks', 'handlers'):
            yield from _tasks(node.get(key))


def _messages(task):
    for action, args in task.items():
        if action.rsplit('.', 1)[-1] in YAML_MESSAGE_TASKS and isinstance(args, dict):
            for key in YAML_MESSAGE_KEYS:
                value = args.get(key)
                for text in (value if isinstance(value, list) else [value]):
                    if isinstance(text, str):
                        yield text


def collect_yaml_codes(texts):
    """``{code: {site}}`` from ``[(path, yaml text)]``: the codes role and playbook messages start with."""
    found = {}
    for path, text in texts:
        for task in _tasks(yaml.safe_load(text)):
            for message in _messages(task):
                match = YAML_CODE.match(message)
                if match:
                    found.setdefault(match.group(1), set()).add('%s (%s)' % (path, task.get('name', '?')))
    return found


def yaml_sources():
    sources = []
    for path in _yaml_files():
        with open(os.path.join(ROOT, path), encoding='utf-8') as handle:
            sources.append((path, handle.read()))
    return sources


def emitted_codes():
    found, unresolved = collect_python_codes()
    for code, sites in collect_yaml_codes(yaml_sources()).items():
        found.setdefault(code, set()).update(sites)
    return found, unresolved


def catalogue():
    with open(CATALOGUE, encoding='utf-8') as handle:
        return parse_catalogue(handle.read())


@pytest.fixture(scope='module')
def emitted():
    return emitted_codes()


def test_every_emission_site_is_resolved(emitted):
    _found, unresolved = emitted
    assert not unresolved, ('the collector cannot tell which codes these sites emit; make the code a literal or '
                            'constant, or add the site to DYNAMIC with its reason:\n' + '\n'.join(unresolved))


def missing_codes(found, entries):
    """Codes emitted but not catalogued, each with up to three places that emit it."""
    return ['%s (%s)' % (code, ', '.join(sorted(found[code])[:3])) for code in sorted(set(found) - set(entries))]


def stale_codes(found, entries):
    """Codes catalogued that nothing emits (and that are not in EMITTED_OUT_OF_SIGHT)."""
    return sorted(code for code in entries if code not in found and code not in EMITTED_OUT_OF_SIGHT)


def test_every_emitted_code_is_in_the_catalogue(emitted):
    missing = missing_codes(emitted[0], catalogue())
    assert not missing, 'emitted but not in docs/errors.md:\n' + '\n'.join(missing)


def test_every_catalogued_code_is_emitted(emitted):
    stale = stale_codes(emitted[0], catalogue())
    assert not stale, 'in docs/errors.md but emitted nowhere (remove or rename them):\n' + '\n'.join(stale)


def test_codes_emitted_out_of_sight_are_still_catalogued():
    assert set(EMITTED_OUT_OF_SIGHT) <= set(catalogue())


def test_every_catalogued_code_has_a_level_cause_and_fix():
    incomplete = sorted(code for code, entry in catalogue().items()
                        if entry['level'] not in ('error', 'warning', 'refusal', 'notice')
                        or not entry['cause'] or not entry['fix'])
    assert not incomplete, 'without a level, cause or fix in docs/errors.md: %s' % ', '.join(incomplete)


# The collector itself, on small sources.

def _collect(source, dynamic=None, path='plugins/module_utils/_federation/x.py'):
    collector = Collector([(path, source)], dynamic=dynamic or {})
    return collector.collect(), collector.unresolved


def test_collector_follows_literals_constants_conditions_and_parameters():
    found, unresolved = _collect('''
CONST = 'FROM_CONSTANT'

def helper(code, message):
    return finding(code, message)

def other(exc, prefix=''):
    code = {'A_B': 'SHORT'}.get(exc.code)
    return finding(prefix + code if (code and prefix) else exc.code, 'x')

def run(flag):
    helper('VIA_PARAMETER', 'x')
    other(None, 'KEYS_')
    raise FederationError('LITERAL' if flag else CONST, 'x')

def main(module):
    module.fail_json(msg='x', code='BY_KEYWORD')
    return {'code': 'IN_DICT'}
''')
    assert not unresolved
    assert set(found) == {'FROM_CONSTANT', 'VIA_PARAMETER', 'KEYS_SHORT', 'LITERAL', 'BY_KEYWORD', 'IN_DICT'}


def test_collector_fails_loudly_on_a_code_it_cannot_follow():
    found, unresolved = _collect('''
def run(exc, kind):
    return finding('%s_FAILED' % kind, 'x'), finding('WELLKNOWN_' + exc.code, 'x')
''')
    assert found == {}
    assert len(unresolved) == 2
    assert 'x.py:3' in unresolved[0]


def test_collector_takes_a_dynamic_site_from_its_table():
    found, unresolved = _collect("def run(exc):\n    return finding('WELLKNOWN_' + exc.code, 'x')\n",
                                 dynamic={('plugins/module_utils/_federation/x.py', "'WELLKNOWN_' + exc.code"):
                                          lambda found: {'WELLKNOWN_HTTP_TIMEOUT'}})
    assert not unresolved
    assert found == {'WELLKNOWN_HTTP_TIMEOUT': {'plugins/module_utils/_federation/x.py:2'}}


def test_role_and_playbook_messages_that_start_with_a_code_are_collected():
    found = collect_yaml_codes([('roles/r/tasks/main.yml', '''
- name: Warn
  ansible.builtin.debug:
    msg: "[WARNING] ROLE_WARNING_CODE: the allow list ..."
- name: Block
  block:
    - name: Refuse
      ansible.builtin.fail:
        msg: "ROLE_REFUSAL: Nothing was changed."
    - name: Assert
      ansible.builtin.assert:
        that: [true]
        fail_msg: "Refusing to apply the firewall: NOT_A_CODE_HERE: x"
''')])
    assert set(found) == {'ROLE_WARNING_CODE', 'ROLE_REFUSAL'}


def test_a_deleted_row_and_a_renamed_row_are_caught(emitted):
    found, _unresolved = emitted
    with open(CATALOGUE, encoding='utf-8') as handle:
        lines = handle.read().splitlines()
    deleted = parse_catalogue('\n'.join(line for line in lines if not line.startswith('| DNS_SERVFAIL |')))
    assert [entry.split(' ')[0] for entry in missing_codes(found, deleted)] == ['DNS_SERVFAIL']
    renamed = parse_catalogue('\n'.join(line.replace('| DNS_SERVFAIL |', '| DNS_SERVER_FAILURE |') for line in lines))
    assert stale_codes(found, renamed) == ['DNS_SERVER_FAILURE']
