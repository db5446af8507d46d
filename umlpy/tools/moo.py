"""umlpy-moo: merge a COW file with its backing file, compatible with uml_moo.

Implements spec/uml-reference.md §4: the command line of §4.1 (usage text with
argv[0], exit 1), the checks and messages of §4.2 in uml_moo's order, the copy
merge of §4.3 and the in-place merge of §4.4.  The data movement lives in
umlpy.ubd.merge.  Deliberate differences (docs/compat.md, "Tools"):

* ``-b X -d COW`` and ``-d -b X COW`` are both accepted (uml_moo only takes -d first);
* the output is written to a temporary file and renamed into place, is exactly
  as long as the backing file (no truncation to whole sectors), is fsync'ed;
* the output may not be the backing file or the COW file itself;
* ``-d`` refuses while other COW files in the backing's directory (and in
  ``--siblings DIR`` directories) use the same backing file, unless ``--force``;
  after ``-d`` a note on stderr says the COW file is now stale.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
from dataclasses import dataclass, field

from umlpy.errors import CowError, NotCowError, ToolError

__all__ = ["main", "MooArgs", "parse_args", "usage_text", "find_siblings"]

USAGE = """{0} usage:
\t{0} [ -b <actual backing file> ] <COW file> <new backing file>
\t{0} [ -b <actual backing file> ] -d <COW file>
Creates a new filesystem image from the COW file and its backing file.
Specifying -d will cause a destructive, in-place merge of the COW file into
its current backing file
Specifying -b overrides the backing_file specified in the COW file.  This is
needed when dealing with a COW file that was created inside a chroot jail.
{0} supports version 1,2 and 3 COW files.
"""

EXTRA_USAGE = """umlpy-moo options (not in uml_moo):
\t--siblings DIR   also look in DIR for other COW files of the same backing (-d)
\t--force          merge in place even when other COW files use the backing
\t--no-fsync       do not fsync the result (uml_moo never does)
"""

PROGRESS_MIN = 256 << 20     # show a progress bar for merges of at least this many bytes


class UsageError(Exception):
    """The command line does not parse: print the usage text, exit 1."""


@dataclass
class MooArgs:
    cow: str
    out: str | None                 # None: in-place (-d)
    backing: str | None = None      # -b
    siblings: list[str] = field(default_factory=list)
    force: bool = False
    fsync: bool = True


def prog_name(argv0: str) -> str:
    """What uml_moo would print as argv[0]: the name as typed on the command line.

    A console script only sees its full path; when that is what PATH lookup of
    its base name finds, the user most likely typed the base name.
    """
    base = os.path.basename(argv0)
    if os.sep in argv0 and shutil.which(base) == argv0:
        return base
    return argv0 or "umlpy-moo"


def usage_text(argv0: str) -> str:
    return USAGE.format(prog_name(argv0))


def parse_args(args: list[str]) -> MooArgs:
    """uml_moo's grammar, with -d and -b accepted in either order."""
    backing: str | None = None
    inplace = False
    siblings: list[str] = []
    force = False
    fsync = True
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-d" and not inplace:
            inplace = True
        elif a == "-b" and backing is None:
            if i + 1 >= len(args):
                raise UsageError()
            backing = args[i + 1]
            i += 1
        elif a == "--siblings":
            if i + 1 >= len(args):
                raise UsageError()
            siblings.append(args[i + 1])
            i += 1
        elif a == "--force":
            force = True
        elif a == "--no-fsync":
            fsync = False
        elif a == "--":
            i += 1
            break
        else:
            break
        i += 1
    rest = args[i:]
    if inplace:
        if len(rest) != 1:
            raise UsageError()
        return MooArgs(rest[0], None, backing, siblings, force, fsync)
    if len(rest) != 2 or siblings:
        raise UsageError()
    return MooArgs(rest[0], rest[1], backing, siblings, force, fsync)


def _strerror(e: OSError) -> str:
    return e.strerror or os.strerror(e.errno or 0)


def _size_of(fd: int, st: os.stat_result) -> int:
    if stat.S_ISBLK(st.st_mode):
        return os.lseek(fd, 0, os.SEEK_END)
    return st.st_size


def _read_header(cow_fd: int, cow_path: str):  # type: ignore[no-untyped-def]
    from umlpy.ubd.cow import read_header

    try:
        size = os.fstat(cow_fd).st_size
        if size < 8:
            print("read_cow_header - short header", flush=True)
        header = read_header(cow_fd)
    except NotCowError:
        raise ToolError("Reading COW header failed") from None
    except CowError as e:
        raise ToolError(f"Reading COW header failed: {e}") from None
    except OSError as e:
        raise ToolError(f"Reading COW header failed: {_strerror(e)}") from None
    if header.broken_v3:
        print("read_cow_header - broken V3 file with 64-bit layout - recovering content.",
              flush=True)
    return header


def find_siblings(backing_st: os.stat_result, dirs: list[str], exclude: list[os.stat_result]) -> list[str]:
    """COW files in ``dirs`` whose header's backing file is the same inode."""
    from umlpy.ubd.cow import parse_header

    found: list[str] = []
    seen: set[tuple[int, int]] = {(s.st_dev, s.st_ino) for s in exclude}
    for d in dirs:
        try:
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError as e:
            raise ToolError(f"Scanning sibling directory \"{d}\": {_strerror(e)}") from None
        for ent in entries:
            try:
                if not ent.is_file():
                    continue
                st = ent.stat()
                if (st.st_dev, st.st_ino) in seen:
                    continue
                with open(ent.path, "rb") as f:
                    head = f.read(4136)
                if len(head) < 8 or head[:4] not in (b"OOOM", b"MOOO"):
                    continue
                hdr = parse_header(head, file_size=st.st_size)
            except (OSError, CowError):
                continue
            name = hdr.backing_file
            candidates = [name] if os.path.isabs(name) else [name, os.path.join(d, name)]
            for c in candidates:
                try:
                    bst = os.stat(c)
                except OSError:
                    continue
                if (bst.st_dev, bst.st_ino) == (backing_st.st_dev, backing_st.st_ino):
                    seen.add((st.st_dev, st.st_ino))
                    found.append(ent.path)
                    break
    return found


def _progress(total: int):  # type: ignore[no-untyped-def]
    """A rich progress bar on stderr for long merges on a terminal, else None."""
    if total < PROGRESS_MIN or not sys.stderr.isatty():
        return None, None
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn
    from rich.console import Console

    bar = Progress("merging", BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                   console=Console(file=sys.stderr), transient=True)
    task = bar.add_task("merge", total=total)
    bar.start()
    return bar, (lambda done: bar.update(task, completed=done))


def run(a: MooArgs) -> int:
    from umlpy.ubd import merge

    try:
        cow_fd = os.open(a.cow, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as e:
        raise ToolError(f"COW file open: {_strerror(e)}") from None
    try:
        header = _read_header(cow_fd, a.cow)
        backing = a.backing if a.backing is not None else header.backing_file
        try:
            bst = os.stat(backing)
        except OSError as e:
            raise ToolError(f"Stating backing file: {_strerror(e)}") from None
        flags = os.O_RDONLY if a.out is not None else os.O_RDWR
        try:
            back_fd = os.open(backing, flags | os.O_CLOEXEC)
        except OSError as e:
            if stat.S_ISBLK(bst.st_mode):
                raise ToolError(f"Opening backing file: {_strerror(e)}") from None
            back_fd = -1
            open_error = e
        actual = _size_of(back_fd, bst) if back_fd >= 0 else bst.st_size
        if header.size != actual:
            raise ToolError(f"Size mismatch ({header.size} vs {actual}) of COW header vs "
                            f"backing file \"{backing}\"")
        mtime = int(bst.st_mtime) & 0xFFFFFFFF
        if header.mtime != mtime:
            raise ToolError(f"mtime mismatch ({header.mtime} vs {int(bst.st_mtime)}) of COW "
                            f"header vs backing file \"{backing}\"")
        if back_fd < 0:
            raise ToolError(f"Opening backing file: {_strerror(open_error)}")
        try:
            cst = os.fstat(cow_fd)
            if a.out is None:
                return _inplace(a, cow_fd, header, back_fd, backing, bst, cst, merge)
            return _copy(a, cow_fd, header, back_fd, bst, cst, merge)
        finally:
            os.close(back_fd)
    finally:
        os.close(cow_fd)


def _copy(a: MooArgs, cow_fd: int, header, back_fd: int, bst: os.stat_result,  # type: ignore[no-untyped-def]
          cst: os.stat_result, merge) -> int:
    assert a.out is not None
    try:
        ost = os.stat(a.out)
    except FileNotFoundError:
        ost = None
    except OSError as e:
        raise ToolError(f"Output file open: {_strerror(e)}") from None
    if ost is not None:
        if merge.same_file(ost, bst):
            raise ToolError(f"Output file \"{a.out}\" is the backing file; refusing to overwrite it")
        if merge.same_file(ost, cst):
            raise ToolError(f"Output file \"{a.out}\" is the COW file; refusing to overwrite it")
        if stat.S_ISDIR(ost.st_mode):
            raise ToolError("Output file open: Is a directory")
        if not stat.S_ISREG(ost.st_mode):
            raise ToolError(f"Output file \"{a.out}\" is not a regular file; refusing to replace it")
    bar, cb = _progress(header.size)
    try:
        merge.merge_to_path(cow_fd, header, back_fd, a.out, progress=cb, fsync=a.fsync)
    except ToolError:
        raise
    except OSError as e:
        raise ToolError(f"Output file open: {_strerror(e)}") from None
    finally:
        if bar is not None:
            bar.stop()
    return 0


def _inplace(a: MooArgs, cow_fd: int, header, back_fd: int, backing: str,  # type: ignore[no-untyped-def]
             bst: os.stat_result, cst: os.stat_result, merge) -> int:
    if not stat.S_ISREG(bst.st_mode) and not stat.S_ISBLK(bst.st_mode):
        raise ToolError(f"Backing file \"{backing}\" is not a regular file or block device")
    dirs = [os.path.dirname(os.path.abspath(backing))] + a.siblings
    others = find_siblings(bst, dirs, [cst, bst])
    if others and not a.force:
        lines = [f"Refusing the in-place merge: other COW files use \"{backing}\" "
                 "and would become invalid:"]
        lines += [f"  {p}" for p in others]
        lines.append("Merge into a new file instead (umlpy-moo COW NEW), or use --force.")
        raise ToolError("\n".join(lines))
    bar, cb = _progress(header.size)
    try:
        merge.merge_into(cow_fd, header, back_fd, progress=cb, fsync=a.fsync)
    except OSError as e:
        raise ToolError(f"Writing data: {_strerror(e)}") from None
    finally:
        if bar is not None:
            bar.stop()
    print(f"Merged \"{a.cow}\" into \"{backing}\"; the COW file is now stale "
          "(its backing mtime no longer matches) - delete it or re-create it with "
          "umlpy-mkcow -f.", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv if argv is None else argv
    argv0 = args[0] if args else "umlpy-moo"
    try:
        parsed = parse_args(list(args[1:]))
    except UsageError:
        sys.stderr.write(usage_text(argv0))
        return 1
    try:
        return run(parsed)
    except ToolError as e:
        print(str(e), file=sys.stderr)
        return e.exit_code
    except OSError as e:
        print(f"Writing data: {_strerror(e)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
