# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

import yaml

from ansible_collections.matrix.federation.plugins.doc_fragments.network import ModuleDocFragment
from ansible_collections.matrix.federation.plugins.module_utils._federation.argspec import network_argument_spec


def test_builder_matches_the_network_doc_fragment():
    documented = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options']
    spec = network_argument_spec()
    assert sorted(spec) == sorted(documented)
    for name, option in documented.items():
        assert spec[name]['type'] == option['type'], name
        assert spec[name].get('elements') == option.get('elements'), name
        assert spec[name].get('default') == option.get('default'), name


def test_builder_merges_module_options_and_leaves_out_ca_path():
    spec = network_argument_spec(ca_path=False, domain={'type': 'str', 'required': True})
    assert sorted(spec) == ['domain', 'nameservers', 'timeout']
    assert network_argument_spec() is not network_argument_spec()
