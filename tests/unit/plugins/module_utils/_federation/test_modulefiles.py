# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one way modules change files: content, backups, removal and attributes."""

import os
import stat

from ansible_collections.matrix.federation.plugins.module_utils._federation.modulefiles import apply_attributes, write_file


class RecordingModule:
    """Stands in for AnsibleModule.set_fs_attributes_if_different: says the mode of the first file changes."""

    def __init__(self):
        self.calls = []

    def set_fs_attributes_if_different(self, file_args, changed, diff=None, expand=True):
        self.calls.append((file_args['path'], expand))
        if len(self.calls) == 1:
            if diff is not None:
                diff['before'], diff['after'] = {'mode': '0600'}, {'mode': '0644'}
            return True
        return changed


def test_write_file_backs_up_replaces_and_removes(tmp_path):
    path = str(tmp_path / 'server')
    assert write_file(path, b'one', 0o644) is None
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
    backup = write_file(path, b'two', 0o644, backup=True)
    with open(backup, 'rb') as handle:
        assert handle.read() == b'one'
    assert stat.S_IMODE(os.stat(backup).st_mode) == 0o600
    with open(path, 'rb') as handle:
        assert handle.read() == b'two'
    write_file(path, None, 0o644)
    assert not os.path.exists(path)


def test_apply_attributes_skips_missing_files_and_collects_diffs(tmp_path):
    first, second = tmp_path / 'a', tmp_path / 'b'
    first.write_text('x')
    second.write_text('y')
    module, diffs = RecordingModule(), []
    targets = (str(first), None, str(tmp_path / 'missing'), str(second))
    assert apply_attributes(module, {'mode': '0644'}, targets, False, diffs) is True
    assert module.calls == [(str(first), False), (str(second), False)]
    assert diffs == [{'before': {'mode': '0600'}, 'after': {'mode': '0644'}, 'before_header': str(first),
                      'after_header': str(first)}]
