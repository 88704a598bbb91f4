# -*- coding: utf-8 -*-
# Copyright: (c) 2026, matrix.federation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Atomic file writes and backups for files that must never be lost or half written.

Writes go through a temp file in the target's directory that is complete and
fsynced before it takes the target's name, in two steps (:func:`stage`, then
:func:`commit` or :func:`commit_new`) so that a caller writing several files
can prepare all of them first: a full disk or a read-only file system then
fails before any file changed. OS errors become coded
:class:`FederationError` (``FILE_READ_ONLY``, ``FILE_NO_SPACE``,
``FILE_WRITE_FAILED``), never a traceback.
"""

import errno
import fcntl
import os
import shutil
import stat
import tempfile
import time

from ansible_collections.matrix.federation.plugins.module_utils._federation.errors import FederationError


def read_file(path):
    """Return the bytes of ``path`` or ``None`` when it does not exist."""
    try:
        with open(path, 'rb') as handle:
            return handle.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise FederationError('FILE_READ_FAILED', 'cannot read %s: %s' % (path, exc.strerror or exc))


def read_regular_file(path):
    """Return the bytes of the regular file ``path`` or ``None`` when it does not exist.

    Unlike :func:`read_file` this never follows a symbolic link and never
    blocks on a FIFO. Raises ``FILE_SYMLINK`` (``path`` itself is a link,
    dangling or not), ``FILE_IS_DIRECTORY``, ``FILE_NOT_REGULAR`` or
    ``FILE_READ_FAILED``; callers give them their own codes and messages.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, 'O_CLOEXEC', 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        # Linux says ELOOP for O_NOFOLLOW on a link, FreeBSD EMLINK.
        if exc.errno in (errno.ELOOP, errno.EMLINK) and os.path.islink(path):
            raise FederationError('FILE_SYMLINK', '%s is a symbolic link' % path)
        raise FederationError('FILE_READ_FAILED', 'cannot read %s: %s' % (path, exc.strerror or exc))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise FederationError('FILE_IS_DIRECTORY', '%s is a directory' % path)
        if not stat.S_ISREG(mode):
            raise FederationError('FILE_NOT_REGULAR', '%s is not a regular file' % path)
        chunks = []
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                return b''.join(chunks)
            chunks.append(chunk)
    except OSError as exc:
        raise FederationError('FILE_READ_FAILED', 'cannot read %s: %s' % (path, exc.strerror or exc))
    finally:
        os.close(fd)


def read_own_file(path, option, what, codes):
    """Bytes of ``path`` (``None`` when missing), refusing links and anything but a regular file.

    For the files a module owns and replaces by rename, named by its option
    ``option``; ``what`` says what the file should be ("a signing key file").
    The generic ``FILE_SYMLINK``, ``FILE_IS_DIRECTORY`` and ``FILE_NOT_REGULAR``
    of :func:`read_regular_file` are raised as ``codes[<generic code>]``, with
    a message that says how to fix ``option``.

    A link is refused rather than followed: the module replaces files by
    rename, which would put a regular file in place of the link (or, if it
    wrote through it, change a file somewhere else than ``option`` says).
    """
    try:
        return read_regular_file(path)
    except FederationError as exc:
        if exc.code == 'FILE_SYMLINK':
            raise FederationError(
                codes[exc.code],
                '%s %s is a symbolic link (to %s); the module does not work through links: point %s at the '
                'real file' % (option, path, os.path.realpath(path), option))
        if exc.code == 'FILE_IS_DIRECTORY':
            raise FederationError(codes[exc.code], '%s is a directory, not %s' % (path, what))
        if exc.code == 'FILE_NOT_REGULAR':
            raise FederationError(
                codes[exc.code], '%s is not a regular file (a FIFO, socket or device), not %s' % (path, what))
        raise


def write_error(path, exc):
    """The coded :class:`FederationError` for ``OSError`` ``exc`` raised while writing ``path``."""
    if exc.errno == errno.EROFS:
        return FederationError(
            'FILE_READ_ONLY', 'cannot write %s: the file system is mounted read-only' % path)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return FederationError(
            'FILE_NO_SPACE', 'cannot write %s: no space left on the file system (%s); free some and run again'
            % (path, exc.strerror or exc))
    return FederationError('FILE_WRITE_FAILED', 'cannot write %s: %s' % (path, exc.strerror or exc))


def is_read_only(path):
    """Whether the file system holding ``path`` is mounted read-only (``False`` when it cannot be told)."""
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False  # whatever is wrong, the write itself reports it


def check_writable(path):
    """Raise ``FILE_READ_ONLY`` when ``path`` cannot be written because its directory is on a read-only mount.

    Lets a caller refuse a change before making it, also in check mode. Only
    the mount flag is checked: it is what stops root, who runs this module.
    """
    if is_read_only(os.path.dirname(os.path.abspath(path))):
        raise FederationError(
            'FILE_READ_ONLY', 'cannot change %s: the file system holding it is mounted read-only' % path)


def stage(path, data, mode=0o600, owner=None):
    """Write ``data`` (bytes) to a new temp file next to ``path``; return the temp file's name.

    The temp file gets ``mode`` and, when ``owner`` is ``(uid, gid)``, that
    owner before any data is written, so the content is never readable by
    anyone else, and it is fsynced. Pass it to :func:`commit`,
    :func:`commit_new` or :func:`discard`.
    """
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FederationError('DIRECTORY_MISSING', 'directory %s does not exist' % directory)
    try:
        fd, tmp_path = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), suffix='.tmp', dir=directory)
    except OSError as exc:
        raise write_error(path, exc)
    try:
        if owner is not None:
            os.fchown(fd, owner[0], owner[1])
        os.fchmod(fd, mode)
        with os.fdopen(fd, 'wb') as handle:
            fd = None
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        if fd is not None:
            os.close(fd)
        discard(tmp_path)
        raise write_error(path, exc)
    return tmp_path


def discard(tmp_path):
    """Remove a staged temp file; a missing one is fine."""
    try:
        os.unlink(tmp_path)
    except OSError:
        pass


def _sync_directory(path):
    # Makes the new name durable; not every file system supports it, and the data is safe either way.
    try:
        dir_fd = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def commit(tmp_path, path):
    """Rename the staged ``tmp_path`` over ``path`` (replacing it atomically, or a link at ``path`` itself)."""
    try:
        os.rename(tmp_path, path)
    except OSError as exc:
        discard(tmp_path)
        raise write_error(path, exc)
    _sync_directory(path)


def commit_new(tmp_path, path):
    """Give the staged ``tmp_path`` the name ``path`` only if nothing has that name yet.

    Returns ``True`` when created, ``False`` when ``path`` exists (another
    process created it first; it is left alone). The temp file is gone either
    way. Uses ``link()``, which is atomic and fails on an existing name.
    """
    try:
        os.link(tmp_path, path)
    except OSError as exc:
        discard(tmp_path)
        if exc.errno == errno.EEXIST:
            return False
        raise write_error(path, exc)
    discard(tmp_path)
    _sync_directory(path)
    return True


def atomic_write(path, data, mode=0o600):
    """Write ``data`` (bytes) to ``path`` through a temp file in the same directory.

    The temp file is created with ``mode`` already set, fsynced and renamed
    over ``path``, so a crash leaves either the old or the new content, never
    an empty or partial file, and the content is never world-readable.
    """
    commit(stage(path, data, mode), path)


def backup_file(path, mode=0o600):
    """Copy ``path`` to ``path.<timestamp>~`` with ``mode`` and return the new name.

    Returns ``None`` when there is nothing to back up.
    """
    if not os.path.exists(path):
        return None
    stamp = time.strftime('%Y-%m-%d@%H:%M:%S')
    backup = '%s.%d.%s~' % (path, os.getpid(), stamp)
    try:
        with open(path, 'rb') as src:
            data = src.read()
        atomic_write(backup, data, mode)
        shutil.copystat(path, backup)
        os.chmod(backup, mode)
    except OSError as exc:
        raise FederationError('BACKUP_FAILED', 'cannot back up %s: %s' % (path, exc.strerror or exc))
    return backup


class DirectoryLock:
    """Exclusive ``flock`` on the directories of some paths; see :func:`lock_directories`.

    ``warnings`` lists ``(code, message)`` for directories whose file system
    does not support the lock (the caller goes on without it).
    """

    def __init__(self, paths, timeout=60.0, poll=0.02):
        self.paths = paths
        self.timeout = timeout
        self.poll = poll
        self.warnings = []
        self._fds = []

    def __enter__(self):
        directories = {}
        for path in self.paths:
            if not path:
                continue
            directory = os.path.dirname(os.path.abspath(path))
            try:
                info = os.stat(directory)
            except OSError:
                raise FederationError('DIRECTORY_MISSING', 'directory %s does not exist' % directory)
            directories[(info.st_dev, info.st_ino)] = directory
        try:
            # Always in the same order, so two runs locking the same two directories cannot deadlock.
            for identity in sorted(directories):
                self._lock(directories[identity])
        except BaseException:
            self.release()
            raise
        return self

    def _lock(self, directory):
        try:
            fd = os.open(directory, os.O_RDONLY | getattr(os, 'O_DIRECTORY', 0) | getattr(os, 'O_CLOEXEC', 0))
        except OSError as exc:
            raise FederationError('FILE_READ_FAILED', 'cannot open directory %s: %s' % (directory, exc.strerror or exc))
        deadline = time.time() + self.timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    if time.time() < deadline:
                        time.sleep(self.poll)
                        continue
                    os.close(fd)
                    raise FederationError(
                        'FILE_LOCKED',
                        'another run has held the lock on directory %s for more than %d seconds; '
                        'wait for it to finish and run again' % (directory, self.timeout))
                # NFS without lock emulation and the like: no lock to take, say so and go on.
                os.close(fd)
                self.warnings.append((
                    'FILE_NOT_LOCKED',
                    'cannot lock directory %s (%s): concurrent runs on it are not serialized'
                    % (directory, exc.strerror or exc)))
                return
            self._fds.append(fd)
            return

    def release(self):
        """Drop every lock held (closing the descriptors releases them)."""
        while self._fds:
            os.close(self._fds.pop())

    def __exit__(self, *exc_info):
        self.release()
        return False


def lock_directories(paths, timeout=60.0):
    """Context manager holding an exclusive ``flock`` on the directory of each of ``paths``.

    Locking the directory rather than a lock file leaves nothing on disk and
    works on a read-only file system. Waits up to ``timeout`` seconds for
    another holder, then raises ``FILE_LOCKED``; a missing directory is
    ``DIRECTORY_MISSING``. Only processes that take the same lock are held
    off (other tools never take it).
    """
    return DirectoryLock([path for path in paths if path], timeout)
