# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""fileutil.py: reads that refuse links and FIFOs, staged atomic writes, backups, directory locks, coded OS errors."""

import errno
import fcntl
import os
import stat

import pytest

from ansible_collections.matrix.federation.plugins.module_utils._federation import fileutil
from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError

OWN_CODES = {'FILE_SYMLINK': 'KEY_SYMLINK', 'FILE_IS_DIRECTORY': 'KEY_IS_DIRECTORY', 'FILE_NOT_REGULAR': 'KEY_NOT_REGULAR'}


def _mode(path):
    return stat.S_IMODE(os.stat(str(path)).st_mode)


def _code(call, *args, **kwargs):
    with pytest.raises(FederationError) as info:
        call(*args, **kwargs)
    return info.value.code


def test_read_file_gives_bytes_none_when_missing_and_a_code_otherwise(tmp_path):
    (tmp_path / 'f').write_bytes(b'\x00data\n')
    assert fileutil.read_file(str(tmp_path / 'f')) == b'\x00data\n'
    assert fileutil.read_file(str(tmp_path / 'missing')) is None
    assert _code(fileutil.read_file, str(tmp_path)) == 'FILE_READ_FAILED'


def test_read_regular_file_refuses_links_directories_and_fifos(tmp_path):
    target = tmp_path / 'real'
    target.write_bytes(b'x' * 200000)
    assert fileutil.read_regular_file(str(target)) == b'x' * 200000  # more than one read() chunk
    assert fileutil.read_regular_file(str(tmp_path / 'missing')) is None
    (tmp_path / 'link').symlink_to(target)
    (tmp_path / 'dangling').symlink_to(tmp_path / 'nowhere')
    os.mkfifo(str(tmp_path / 'fifo'))
    assert _code(fileutil.read_regular_file, str(tmp_path / 'link')) == 'FILE_SYMLINK'
    assert _code(fileutil.read_regular_file, str(tmp_path / 'dangling')) == 'FILE_SYMLINK'
    assert _code(fileutil.read_regular_file, str(tmp_path)) == 'FILE_IS_DIRECTORY'
    # Opened without blocking: no writer on the FIFO does not hang the read.
    assert _code(fileutil.read_regular_file, str(tmp_path / 'fifo')) == 'FILE_NOT_REGULAR'


def test_read_own_file_gives_the_callers_codes_and_says_how_to_fix_the_option(tmp_path):
    (tmp_path / 'real').write_bytes(b'k')
    (tmp_path / 'link').symlink_to(tmp_path / 'real')
    os.mkfifo(str(tmp_path / 'fifo'))
    assert fileutil.read_own_file(str(tmp_path / 'real'), 'path', 'a signing key file', OWN_CODES) == b'k'
    assert fileutil.read_own_file(str(tmp_path / 'none'), 'path', 'a signing key file', OWN_CODES) is None
    with pytest.raises(FederationError) as info:
        fileutil.read_own_file(str(tmp_path / 'link'), 'path', 'a signing key file', OWN_CODES)
    assert info.value.code == 'KEY_SYMLINK'
    assert str(tmp_path / 'real') in info.value.message and 'point path at the real file' in info.value.message
    with pytest.raises(FederationError) as info:
        fileutil.read_own_file(str(tmp_path), 'path', 'a signing key file', OWN_CODES)
    assert info.value.code == 'KEY_IS_DIRECTORY' and info.value.message.endswith('not a signing key file')
    with pytest.raises(FederationError) as info:
        fileutil.read_own_file(str(tmp_path / 'fifo'), 'path', 'a signing key file', OWN_CODES)
    assert info.value.code == 'KEY_NOT_REGULAR' and 'FIFO' in info.value.message


@pytest.mark.parametrize('number, code', [
    (errno.EROFS, 'FILE_READ_ONLY'),
    (errno.ENOSPC, 'FILE_NO_SPACE'),
    (errno.EDQUOT, 'FILE_NO_SPACE'),
    (errno.EIO, 'FILE_WRITE_FAILED'),
])
def test_write_error_codes(number, code):
    error = fileutil.write_error('/srv/f', OSError(number, os.strerror(number)))
    assert isinstance(error, FederationError) and error.code == code
    assert error.message.startswith('cannot write /srv/f')


def test_check_writable_refuses_a_read_only_mount_only(tmp_path, monkeypatch):
    path = str(tmp_path / 'f')
    fileutil.check_writable(path)  # a writable tmp directory: no error
    assert fileutil.is_read_only(str(tmp_path / 'no' / 'such')) is False
    real = os.statvfs

    def read_only(where):
        result = real(where)
        return type('ReadOnly', (), {'f_flag': result.f_flag | os.ST_RDONLY})()

    monkeypatch.setattr(os, 'statvfs', read_only)
    assert fileutil.is_read_only(str(tmp_path)) is True
    with pytest.raises(FederationError) as info:
        fileutil.check_writable(path)
    assert info.value.code == 'FILE_READ_ONLY' and path in info.value.message


def test_stage_then_commit_replaces_the_file_with_the_mode_set(tmp_path):
    path = tmp_path / 'key'
    path.write_bytes(b'old')
    os.chmod(str(path), 0o644)
    tmp = fileutil.stage(str(path), b'new', mode=0o600)
    assert os.path.dirname(tmp) == str(tmp_path) and os.path.basename(tmp).startswith('.key.')
    assert _mode(tmp) == 0o600 and open(tmp, 'rb').read() == b'new'
    assert path.read_bytes() == b'old'  # nothing changed before the commit
    fileutil.commit(tmp, str(path))
    assert path.read_bytes() == b'new' and _mode(path) == 0o600
    assert os.listdir(str(tmp_path)) == ['key']


def test_commit_new_never_replaces_an_existing_file(tmp_path):
    path = tmp_path / 'key'
    assert fileutil.commit_new(fileutil.stage(str(path), b'first'), str(path)) is True
    assert fileutil.commit_new(fileutil.stage(str(path), b'second'), str(path)) is False
    assert path.read_bytes() == b'first'
    assert os.listdir(str(tmp_path)) == ['key']  # both temp files gone


def test_stage_into_a_missing_directory(tmp_path):
    assert _code(fileutil.stage, str(tmp_path / 'missing' / 'f'), b'x') == 'DIRECTORY_MISSING'


def test_a_failed_write_leaves_no_temp_file(tmp_path, monkeypatch):
    def full(fd):
        raise OSError(errno.ENOSPC, 'No space left on device')

    monkeypatch.setattr(os, 'fsync', full)
    assert _code(fileutil.stage, str(tmp_path / 'f'), b'data') == 'FILE_NO_SPACE'
    assert os.listdir(str(tmp_path)) == []


def test_discard_of_a_missing_temp_file_is_fine(tmp_path):
    fileutil.discard(str(tmp_path / 'gone.tmp'))
    assert os.listdir(str(tmp_path)) == []


def test_atomic_write_replaces_a_link_not_its_target(tmp_path):
    target = tmp_path / 'target'
    target.write_bytes(b'target')
    link = tmp_path / 'link'
    link.symlink_to(target)
    fileutil.atomic_write(str(link), b'written', mode=0o640)
    assert not link.is_symlink() and link.read_bytes() == b'written' and _mode(link) == 0o640
    assert target.read_bytes() == b'target'


def test_backup_file_copies_content_and_times_with_the_mode(tmp_path):
    assert fileutil.backup_file(str(tmp_path / 'missing')) is None
    path = tmp_path / 'conf'
    path.write_bytes(b'content')
    os.chmod(str(path), 0o644)
    os.utime(str(path), (1600000000, 1600000000))
    backup = fileutil.backup_file(str(path))
    assert backup.startswith('%s.%d.' % (path, os.getpid())) and backup.endswith('~')
    assert open(backup, 'rb').read() == b'content'
    assert _mode(backup) == 0o600 and os.stat(backup).st_mtime == 1600000000
    assert path.read_bytes() == b'content' and _mode(path) == 0o644


def test_lock_holds_off_a_second_holder_until_released(tmp_path):
    path = str(tmp_path / 'f')
    with fileutil.lock_directories([path, None]) as lock:
        assert lock.warnings == []
        with pytest.raises(FederationError) as info:
            with fileutil.lock_directories([path], timeout=0.2):
                pass  # pragma: no cover - never reached while the first lock is held
        assert info.value.code == 'FILE_LOCKED' and str(tmp_path) in info.value.message
    with fileutil.lock_directories([path], timeout=0.2):
        pass  # released: taken at once
    assert os.listdir(str(tmp_path)) == []  # no lock file


def test_two_paths_in_one_directory_take_its_lock_once(tmp_path):
    (tmp_path / 'alias').symlink_to(tmp_path)
    # The same directory under two names: locking it twice would wait on itself and fail with FILE_LOCKED.
    with fileutil.lock_directories([str(tmp_path / 'a'), str(tmp_path / 'alias' / 'b')], timeout=0.2) as lock:
        assert lock.warnings == []


def test_lock_on_a_missing_directory(tmp_path):
    with pytest.raises(FederationError) as info:
        with fileutil.lock_directories([str(tmp_path / 'missing' / 'f')]):
            pass  # pragma: no cover
    assert info.value.code == 'DIRECTORY_MISSING'


def test_file_system_without_locks_is_a_warning(tmp_path, monkeypatch):
    def no_locks(fd, operation):
        raise OSError(errno.ENOLCK, 'No locks available')

    monkeypatch.setattr(fcntl, 'flock', no_locks)
    with fileutil.lock_directories([str(tmp_path / 'f')]) as lock:
        assert [code for code, dummy in lock.warnings] == ['FILE_NOT_LOCKED']
        assert 'not serialized' in lock.warnings[0][1]
