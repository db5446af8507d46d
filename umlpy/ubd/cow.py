"""COW file headers: parse, validate, build, create and relocate.

Implements spec/uml-reference.md §1.2-1.7 (header layouts v1, v2, v3 and the
"broken" 64-bit v3, format detection, derived offsets, creation, backing-path
absolutization) and the header rewrite of §2.5 step 10 / §7.7, done without
losing data.  The byte layout is documented once, in docs/cow-format.md.

Parsing is two steps: the raw fields are decoded from the bytes, then every
field is validated (``CowHeaderError`` names field and value) before any offset
is derived.  Nothing here prints; errors are ``umlpy.errors`` types.
"""

from __future__ import annotations

import errno
import os
import stat
import struct
from dataclasses import dataclass

from umlpy.errors import CowError, CowHeaderError, NotCowError

__all__ = [
    "COW_MAGIC",
    "V1_SIZE",
    "V2_SIZE",
    "V3_SIZE",
    "V3_BROKEN_SIZE",
    "SECTOR",
    "CowHeader",
    "parse_header",
    "read_header",
    "build_v3_header",
    "absolutize",
    "create_cow",
    "write_new_cow",
    "backing_identity",
    "rewrite_backing",
]

COW_MAGIC = 0x4F4F4F4D
V1_SIZE, V2_SIZE, V3_SIZE, V3_BROKEN_SIZE = 280, 4120, 4128, 4136
SECTOR = 512                      # the ubd driver's unit (spec §1.4 note)
V1_PATH_LEN = 256
PATH_LEN = 4096                   # v2 / v3 backing_file field
MAX_ALIGNMENT = 1 << 24           # our sanity limit (docs/compat.md)
MAX_OFFSET = (1 << 63) - 1        # off_t

# struct layouts (after magic+version, which are decoded separately)
_V1_TAIL = "256sIQi"              # backing_file, mtime, size, sectorsize (+ byte order prefix)
_V2 = struct.Struct(">II4096sIQi")
_V3 = struct.Struct(">IIIQiII4096s")
_V3_BROKEN = struct.Struct(">III4xQiII4096s4x")
assert struct.calcsize("<II" + _V1_TAIL) == V1_SIZE
assert (_V2.size, _V3.size, _V3_BROKEN.size) == (V2_SIZE, V3_SIZE, V3_BROKEN_SIZE)

MSG_NAME_TOO_LONG = ('Backing file name "{name}" is too long - names are limited to '
                     '4095 characters')
MSG_CANT_CD = "absolutize : Can't cd to '{name}' - errno = {errno}"
MSG_CANT_FIT = "absolutize : unable to fit '{name}' into 4096 chars"


def _round_up(x: int, a: int) -> int:
    return (x + a - 1) // a * a


@dataclass(frozen=True)
class CowHeader:
    """A validated COW header with its derived layout (spec §1.2, §1.4)."""

    version: int          # 1, 2 or 3
    broken_v3: bool       # v3 written with the padded 64-bit layout
    backing_file: str     # up to the first NUL, os.fsdecode'd
    mtime: int            # seconds as stored (32-bit)
    size: int             # backing size in bytes
    sectorsize: int
    alignment: int        # v3 field; for v1/v2 the effective alignment (= sectorsize)
    cow_format: int       # v3 field, else 0
    header_size: int      # 280 / 4120 / 4128 / 4136
    bitmap_offset: int    # derived, spec §1.4
    bitmap_len: int       # derived (v1/v2 keep the historic round-down)
    data_offset: int      # derived
    sectors: int          # CEIL(size / 512): sectors the device has
    big_endian_v1: bool = False   # v1 only: the file was written by a big-endian host

    def layout_file_size(self) -> int:
        """Length of a freshly created COW file: data_offset + size."""
        return self.data_offset + self.size

    def bitmap_room(self) -> int:
        """Bytes available for the bitmap between bitmap_offset and data_offset."""
        return self.data_offset - self.bitmap_offset

    def bitmap_bytes(self) -> int:
        """Bitmap bytes the device needs (one bit per 512-byte sector, rounded up),
        capped by the room before the data area (v1/v2 round-down, docs/cow-format.md)."""
        return min((self.sectors + 7) // 8, self.bitmap_room())


def _layout(version: int, header_size: int, size: int, ss: int, align: int) -> tuple[int, int, int]:
    """(bitmap_offset, bitmap_len, data_offset) per spec §1.4."""
    if version < 3:
        bitmap_offset = header_size
        bitmap_len = (size + ss - 1) // (8 * ss)
        data_offset = _round_up(bitmap_offset + bitmap_len, ss)
    else:
        bitmap_offset = _round_up(header_size, align)
        bitmap_len = ((size + ss - 1) // ss + 7) // 8
        data_offset = _round_up(bitmap_offset + bitmap_len, align)
    return bitmap_offset, bitmap_len, data_offset


def _decode_path(raw: bytes, field_len: int) -> str:
    nul = raw.find(b"\0")
    if nul < 0:
        raise CowHeaderError(f"COW header: backing_file is not NUL-terminated within "
                             f"{field_len} bytes", "backing_file", raw[:32])
    if nul == 0:
        raise CowHeaderError("COW header: backing_file is empty", "backing_file", "")
    return os.fsdecode(raw[:nul])


def _short_header(version: str, got: int, need: int) -> CowHeaderError:
    return CowHeaderError(f"read_cow_header - failed to read {version} header "
                          f"(header_size {got} bytes, need {need})", "header_size", got)


def parse_header(buf: bytes, *, file_size: int | None = None) -> CowHeader:
    """Parse and validate the first (up to 4136) bytes of a file (spec §1.3).

    Raises NotCowError for a file that carries no COW header (short file, wrong
    magic) and CowHeaderError naming the field and value for every invalid field.
    """
    buf = bytes(buf[:V3_BROKEN_SIZE])
    if len(buf) < 8:
        raise NotCowError("read_cow_header - short header")
    if buf[:4] == b"MOOO":                       # 0x4f4f4f4d little-endian (x86 host order)
        order = "<"
    elif buf[:4] == b"OOOM":
        order = ">"
    else:
        raise NotCowError("not a COW file (bad magic)")
    (version,) = struct.unpack_from(order + "I", buf, 4)
    cow_format = 0
    broken = False
    if version == 1:
        if len(buf) < V1_SIZE:
            raise _short_header("V1", len(buf), V1_SIZE)
        # The right thing for a big-endian v1 file: its fields are big-endian too
        # (UML reads them in host order; docs/compat.md).
        raw_path, mtime, size, ss = struct.unpack_from(order + _V1_TAIL, buf, 8)
        header_size, align, path_len = V1_SIZE, 0, V1_PATH_LEN
    elif version == 2:
        if len(buf) < V2_SIZE:
            raise _short_header("V2", len(buf), V2_SIZE)
        _, _, raw_path, mtime, size, ss = _V2.unpack_from(buf)
        header_size, align, path_len = V2_SIZE, 0, PATH_LEN
    elif version == 3:
        broken = len(buf) >= 36 and buf[32:36] == b"\0\0\0\0"
        if broken:
            if len(buf) < V3_BROKEN_SIZE:
                raise _short_header("V3", len(buf), V3_BROKEN_SIZE)
            _, _, mtime, size, ss, align, cow_format, raw_path = _V3_BROKEN.unpack_from(buf)
            header_size = V3_BROKEN_SIZE
        else:
            if len(buf) < V3_SIZE:
                raise _short_header("V3", len(buf), V3_SIZE)
            _, _, mtime, size, ss, align, cow_format, raw_path = _V3.unpack_from(buf)
            header_size = V3_SIZE
        path_len = PATH_LEN
    else:
        raise CowHeaderError(f"read_cow_header - invalid COW version {version}", "version", version)

    backing = _decode_path(raw_path, path_len)
    if ss != SECTOR:
        raise CowHeaderError(f"COW header: sectorsize {ss} is not supported (only 512)",
                             "sectorsize", ss)
    if version == 3:
        if align == 0:
            raise CowHeaderError("read_cow_header - invalid COW header, align == 0 "
                                 "(alignment 0)", "alignment", 0)
        if align & (align - 1) or not SECTOR <= align <= MAX_ALIGNMENT:
            raise CowHeaderError(f"COW header: alignment {align} is not a power of two "
                                 f"between 512 and {MAX_ALIGNMENT}", "alignment", align)
        if cow_format != 0:
            raise CowHeaderError(f"COW header: unknown cow_format {cow_format}",
                                 "cow_format", cow_format)
    else:
        align = ss
    bitmap_offset, bitmap_len, data_offset = _layout(version, header_size, size, ss, align)
    if data_offset + size > MAX_OFFSET:
        raise CowHeaderError(f"COW header: size {size} does not fit in a file", "size", size)
    hdr = CowHeader(version=version, broken_v3=broken, backing_file=backing, mtime=mtime,
                    size=size, sectorsize=ss, alignment=align, cow_format=cow_format,
                    header_size=header_size, bitmap_offset=bitmap_offset,
                    bitmap_len=bitmap_len, data_offset=data_offset,
                    sectors=(size + SECTOR - 1) // SECTOR,
                    big_endian_v1=(version == 1 and order == ">"))
    if file_size is not None:
        need = bitmap_offset + bitmap_len
        if file_size < need:
            raise CowHeaderError(f"COW file is {file_size} bytes, too short for its bitmap "
                                 f"(ends at {need})", "file_size", file_size)
    return hdr


def read_header(path_or_fd: str | int) -> CowHeader:
    """Read and parse the header of a file given by path (opened read-only) or fd."""
    if isinstance(path_or_fd, int):
        fd, own = path_or_fd, False
    else:
        try:
            fd = os.open(path_or_fd, os.O_RDONLY | os.O_CLOEXEC)
        except OSError as e:
            raise CowError(f"Failed to open '{path_or_fd}', errno = {e.errno}") from e
        own = True
    try:
        buf = os.pread(fd, V3_BROKEN_SIZE, 0)
        return parse_header(buf, file_size=os.fstat(fd).st_size)
    finally:
        if own:
            os.close(fd)


def _encode_path(path: str, field_len: int) -> bytes:
    raw = os.fsencode(path)
    if b"\0" in raw or not raw:
        raise CowError(f"invalid backing file name {path!r}")
    if len(raw) >= field_len:
        raise CowError(MSG_NAME_TOO_LONG.format(name=path))
    return raw + b"\0" * (field_len - len(raw))


def build_v3_header(backing_abs: str, mtime: int, size: int,
                    sectorsize: int = 512, alignment: int = 4096) -> bytes:
    """Exactly 4128 bytes as UML/uml_mkcow write them (zero fill after the NUL)."""
    return _V3.pack(COW_MAGIC, 3, mtime & 0xFFFFFFFF, size, sectorsize, alignment, 0,
                    _encode_path(backing_abs, PATH_LEN))


def absolutize(name: str, *, cwd: str | None = None) -> str:
    """Absolute backing name per spec §1.7: physical directory, final component kept.

    Unlike UML a file directly in '/' works and the cwd length is not limited
    (docs/compat.md).  ``cwd`` replaces the process cwd for relative names; no
    chdir() is done (threads).
    """
    if len(os.fsencode(name)) > PATH_LEN - 1:
        raise CowError(MSG_NAME_TOO_LONG.format(name=name))
    base = os.getcwd() if cwd is None else cwd
    if "/" in name:
        dirpart, _, last = name.rpartition("/")
        target = os.path.join(base, dirpart or "/")
    else:
        target, last = base, name
    try:
        real = os.path.realpath(target, strict=True)
        if not os.path.isdir(real):
            raise NotADirectoryError(errno.ENOTDIR, "not a directory")
    except OSError as e:
        raise CowError(MSG_CANT_CD.format(name=name, errno=e.errno or errno.ENOENT)) from e
    result = real.rstrip("/") + "/" + last
    if len(os.fsencode(result)) > PATH_LEN - 1:
        raise CowError(MSG_CANT_FIT.format(name=name))
    return result


def backing_identity(path: str) -> tuple[int, int]:
    """(mtime, size) of a backing file as the header stores them (stat, symlinks followed;
    a block device's size is its length)."""
    st = os.stat(path)
    size = st.st_size
    if stat.S_ISBLK(st.st_mode):
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            size = os.lseek(fd, 0, os.SEEK_END)
        finally:
            os.close(fd)
    return int(st.st_mtime) & 0xFFFFFFFF, size


def write_new_cow(fd: int, backing_abs: str, mtime: int, size: int) -> CowHeader:
    """Write a fresh v3 COW into the open, empty (or truncated) file ``fd`` (spec §1.6):
    the header at 0 and one zero byte at data_offset+size-1, so it is sparse, full length."""
    raw = build_v3_header(backing_abs, mtime, size)
    hdr = parse_header(raw)
    os.pwrite(fd, raw, 0)
    end = hdr.layout_file_size()
    if end > len(raw):
        os.pwrite(fd, b"\0", end - 1)
    return hdr


def create_cow(cow_path: str, backing: str, *, force: bool = False,
               cwd: str | None = None) -> CowHeader:
    """Create ``cow_path`` as a COW file for ``backing`` (spec §1.6), mode 0644.

    ``force`` truncates an existing file first (a clean re-create; uml_mkcow -f
    keeps old bits, we do not).  The backing is checked before anything is
    created, and a file we created is removed again if writing it fails.
    """
    backing_abs = absolutize(backing, cwd=cwd)
    try:
        mtime, size = backing_identity(backing_abs)
        bst = os.stat(backing_abs)
    except OSError as e:
        raise CowError(f"Couldn't stat \"{backing}\" : err = {e.errno}") from e
    full = cow_path if cwd is None else os.path.join(cwd, cow_path)
    try:
        cst = os.stat(full)
    except OSError:
        cst = None
    if cst is not None and (cst.st_dev, cst.st_ino) == (bst.st_dev, bst.st_ino):
        raise CowError(f"COW file '{cow_path}' is the backing file itself")
    flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | (os.O_TRUNC if force else os.O_EXCL)
    try:
        fd = os.open(full, flags, 0o644)
    except FileExistsError as e:
        raise CowError(f"open COW file: File exists: '{cow_path}'") from e
    except OSError as e:
        raise CowError(f"Open of COW file '{cow_path}' failed, errno = {e.errno}") from e
    try:
        return write_new_cow(fd, backing_abs, mtime, size)
    except (OSError, CowError) as e:
        os.close(fd)
        fd = -1
        if not force:
            try:
                os.unlink(full)
            except OSError:
                pass
        if isinstance(e, CowError):
            raise
        raise CowError(f"Writing COW header of '{cow_path}' failed, errno = {e.errno}") from e
    finally:
        if fd >= 0:
            os.close(fd)


def _build_same_version(header: CowHeader, path: str, mtime: int, size: int) -> bytes:
    mtime &= 0xFFFFFFFF
    if header.version == 1:
        order = ">" if header.big_endian_v1 else "<"
        return struct.pack(order + "II" + _V1_TAIL, COW_MAGIC, 1, _encode_path(path, V1_PATH_LEN),
                           mtime, size, header.sectorsize)
    if header.version == 2:
        return _V2.pack(COW_MAGIC, 2, _encode_path(path, PATH_LEN), mtime, size, header.sectorsize)
    raw = _V3.pack(COW_MAGIC, 3, mtime, size, header.sectorsize, header.alignment, 0,
                   _encode_path(path, PATH_LEN))
    # A broken-v3 file becomes a proper v3 file: with alignment >= 512 (validated)
    # ROUND_UP(4128, a) == ROUND_UP(4136, a), so bitmap and data stay put.  The
    # old header's last 8 bytes are zeroed.
    return raw + b"\0" * (header.header_size - len(raw))


def rewrite_backing(cow_path_or_fd: str | int, header: CowHeader, new_backing_abs: str,
                    mtime: int, size: int) -> CowHeader:
    """Point the COW at another backing file, keeping every COW'd sector (§2.5 step 10).

    The header is rewritten in place in its own version (v1 keeps its byte
    order; broken v3 becomes proper v3 with identical offsets), so bitmap and
    data never move.  A v1 header holds at most 255 path bytes: a longer name is
    refused (CowError) rather than converting the layout.  ``size`` must equal
    the header's size (the bitmap covers exactly that many sectors).
    """
    if size != header.size:
        raise CowError(f"Size mismatch ({header.size} vs {size}) of COW header vs backing file")
    if header.version == 1 and len(os.fsencode(new_backing_abs)) >= V1_PATH_LEN:
        raise CowError(f"Backing file name \"{new_backing_abs}\" is too long for a version 1 "
                       f"COW header (limit 255 characters); merge the COW with umlpy-moo first")
    raw = _build_same_version(header, new_backing_abs, mtime, size)
    new = parse_header(raw)
    if (new.bitmap_offset, new.data_offset) != (header.bitmap_offset, header.data_offset):
        raise CowError("internal: header rewrite would move the bitmap")  # pragma: no cover
    if isinstance(cow_path_or_fd, int):
        fd, own = cow_path_or_fd, False
    else:
        try:
            fd = os.open(cow_path_or_fd, os.O_RDWR | os.O_CLOEXEC)
        except OSError as e:
            raise CowError(f"Switch failed, errno = {e.errno}") from e
        own = True
    try:
        os.pwrite(fd, raw, 0)
    except OSError as e:
        raise CowError(f"Switch failed, errno = {e.errno}") from e
    finally:
        if own:
            os.close(fd)
    return new
