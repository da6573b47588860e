"""Opening and validating an uploaded spreadsheet (mở tệp bảng tính tải lên): .xlsx, .xls or .ods.

Owns: the accepted source types (``Source``), the size limits (``DEFAULT_MAX_BYTES``, ``UNCOMPRESSED_FACTOR``),
the file-level checks done by ``open_workbook`` (size, empty file, format by content: OLE → password-protected or
.xls, zip → .ods or OOXML spreadsheet content type, zip-bomb guard; .xls / .ods are read by python-calamine
through ``calamine_book``) and the low-level sheet access shared by the other readers:
``stream_rows`` (row streaming where a damaged sheet part becomes a ``ValidationError``) and ``reset_dimensions``
(ignore a wrong declared sheet dimension). Every file-level problem is a ``ValidationError`` with a Vietnamese
message.
"""

from __future__ import annotations

import io
import os
import warnings
import zipfile
from collections.abc import Iterator
from typing import IO, Union

import openpyxl

from portal.errors import ValidationError

from .messages import DAMAGED

__all__ = ["DEFAULT_MAX_BYTES", "ENCRYPTED", "UNCOMPRESSED_FACTOR", "Source", "open_workbook", "source_format"]


Source = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, IO[bytes]]

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
"""Upload size limit (bytes). Whole-workbook loading costs ~50× the file size; read-only mode streams the sheet."""


UNCOMPRESSED_FACTOR = 25
"""A workbook whose parts unpack to more than ``UNCOMPRESSED_FACTOR × max_bytes`` is refused (zip bomb guard)."""

_XLSX_CONTENT_TYPES = (
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",  # .xlsm: macros are never run by openpyxl
)
_NOT_XLSX = (
    "Tệp không phải bảng tính Excel (.xlsx). Hãy mở tệp bằng Excel và chọn Lưu thành "
    "“Excel Workbook (*.xlsx)”, rồi tải lên lại."
)
ENCRYPTED = (
    "Tệp bảng tính có đặt mật khẩu (đã mã hoá) nên không đọc được. Hãy mở tệp bằng Excel, bỏ mật khẩu "
    "(Tệp → Thông tin → Bảo vệ sổ làm việc → Mã hoá bằng mật khẩu: xoá mật khẩu), lưu lại rồi tải lên lại."
)
UNREADABLE_XLS = (
    "Tệp có dạng Excel 97-2003 (.xls) nhưng không đọc được (tệp hỏng hoặc không phải bảng tính). Hãy mở tệp "
    "bằng Excel và chọn Lưu thành “Excel Workbook (*.xlsx)”, rồi tải lên lại."
)
UNREADABLE_ODS = (
    "Tệp bảng tính OpenDocument (.ods) không đọc được (tệp hỏng). Hãy mở tệp bằng LibreOffice và lưu lại, "
    "rồi tải lên lại."
)
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_ENCRYPTED_STREAMS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))




def _format_size(n: int) -> str:
    """Human size with a Vietnamese decimal comma: "10 MB", "1,5 MB", "800 KB", "500 byte"."""
    if n >= 1024 * 1024:
        text = f"{n / (1024 * 1024):.1f}".replace(".", ",")
        return (text[:-2] if text.endswith(",0") else text) + " MB"
    if n >= 1024:
        return f"{n // 1024} KB"
    return f"{n} byte"


def _too_big(size: int | None, max_bytes: int) -> ValidationError:
    shown = f" ({_format_size(size)})" if size is not None else ""
    return ValidationError(
        f"Tệp quá lớn{shown}: giới hạn là {_format_size(max_bytes)}. Hãy chia danh sách thành nhiều tệp nhỏ hơn."
    )


def load_source(source: Source, max_bytes: int) -> tuple[str | None, bytes | None]:
    """Return ``(path, None)`` for a path or ``(None, data)`` for bytes/streams, after the size check."""
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        try:
            size = os.path.getsize(path)
        except OSError as exc:
            raise ValidationError("Không mở được tệp bảng tính.") from exc
        if size > max_bytes:
            raise _too_big(size, max_bytes)
        if size == 0:
            raise ValidationError("Tệp rỗng (0 byte).")
        return path, None
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif hasattr(source, "read"):
        seekable = getattr(source, "seekable", None)
        if callable(seekable) and seekable():
            source.seek(0)
        data = source.read(max_bytes + 1)
        if isinstance(data, str):
            raise TypeError("open_workbook needs a binary stream")
    else:
        raise TypeError(f"unsupported workbook source: {type(source).__name__}")
    if len(data) > max_bytes:
        raise _too_big(len(data) if not hasattr(source, "read") else None, max_bytes)
    if not data:
        raise ValidationError("Tệp rỗng (0 byte).")
    return None, data


def open_zip(path: str | None, data: bytes | None, max_bytes: int) -> zipfile.ZipFile:
    """Open the OOXML zip after checking magic bytes, content type and uncompressed size."""
    if path is not None:
        with open(path, "rb") as fh:
            head = fh.read(8)
    else:
        head = data[:8]
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ValidationError(UNREADABLE_XLS)
    if not head.startswith(b"PK\x03\x04"):
        raise ValidationError(_NOT_XLSX)
    try:
        archive = zipfile.ZipFile(path if path is not None else io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as exc:
        raise ValidationError(_NOT_XLSX) from exc
    try:
        infos = archive.infolist()
        if sum(info.file_size for info in infos) > UNCOMPRESSED_FACTOR * max_bytes:
            raise ValidationError(
                "Tệp bảng tính quá lớn khi giải nén. Hãy chia danh sách thành nhiều tệp nhỏ hơn."
            )
        names = {info.filename for info in infos}
        if "[Content_Types].xml" not in names:
            raise ValidationError(_NOT_XLSX)
        with archive.open("[Content_Types].xml") as fh:
            content_types = fh.read(1024 * 1024)
        if not any(ct in content_types for ct in _XLSX_CONTENT_TYPES):
            raise ValidationError(_NOT_XLSX)
    except ValidationError:
        archive.close()
        raise
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError) as exc:  # RuntimeError: encrypted member
        archive.close()
        raise ValidationError(_NOT_XLSX) from exc
    return archive


def open_workbook(stream_or_path: Source, max_bytes: int = DEFAULT_MAX_BYTES, *, fast: bool = False):
    """Open an uploaded spreadsheet (.xlsx / .xlsm, Excel 97-2003 .xls, OpenDocument .ods) for streaming reads.

    ``stream_or_path``: a filesystem path, ``bytes``, or a binary file object (e.g. ``request.files[...].stream``;
    a seekable stream is rewound to its start, at most ``max_bytes + 1`` bytes are read). The format is told by
    the content, never by the file name.

    Checks, in order: size ≤ ``max_bytes`` (bytes; default 10 MiB), not empty; an OLE file is a password-protected
    (encrypted) workbook — refused with ``ENCRYPTED`` — or an .xls read by python-calamine (``UNREADABLE_XLS``
    when it cannot be read); a zip whose ``mimetype`` is an OpenDocument spreadsheet is an .ods (``ENCRYPTED``
    when its manifest says so); any other zip must be an OOXML workbook (.xlsx or .xlsm; .docx, CSV, HTML "xls"
    are refused), total uncompressed size ≤ ``UNCOMPRESSED_FACTOR × max_bytes``.

    Returns, for .xlsx, an ``openpyxl`` workbook loaded with ``read_only=True, data_only=True`` — or, with
    ``fast=True``, a ``CalamineBook`` (values only, about ten times faster: for callers that only stream values
    through ``find_table`` / ``iter_rows``); for .xls / .ods a ``calamine_book.CalamineBook`` with the same
    reading interface (``worksheets``, ``iter_rows`` …, plus ``format``). Use ``source_format(wb)`` to tell them
    apart. Cell values are the cached results of formulas (``None`` when never computed). The caller must call
    ``wb.close()`` when done.

    Raises ``ValidationError`` (Vietnamese message) for every file-level problem; ``TypeError`` for a source of
    the wrong Python type.
    """
    path, data = load_source(stream_or_path, max_bytes)
    if path is not None:
        with open(path, "rb") as fh:
            head = fh.read(8)
    else:
        head = data[:8]
    if head.startswith(_OLE_MAGIC[:4]):
        return _open_calamine(_read_all(path, data), "xls")
    if head.startswith(b"PK\x03\x04") and _is_ods(path, data, max_bytes):
        return _open_calamine(_read_all(path, data), "ods")
    open_zip(path, data, max_bytes).close()
    if fast:
        return _open_calamine(_read_all(path, data), "xlsx")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Data Validation extension is not supported", default style, …
            wb = openpyxl.load_workbook(
                path if path is not None else io.BytesIO(data), read_only=True, data_only=True, keep_links=False
            )
    except Exception as exc:  # openpyxl raises KeyError, ValueError, TypeError, … on damaged parts
        raise ValidationError(DAMAGED) from exc
    if not wb.worksheets:
        wb.close()
        raise ValidationError("Tệp bảng tính không có trang tính nào.")
    return wb


def source_format(wb) -> str:
    """"xlsx", "xls" or "ods": the format of a workbook returned by ``open_workbook`` (whichever reader)."""
    return getattr(wb, "format", "xlsx")


def _read_all(path: str | None, data: bytes | None) -> bytes:
    if data is not None:
        return data
    with open(path, "rb") as fh:
        return fh.read()


def _is_ods(path: str | None, data: bytes | None, max_bytes: int) -> bool:
    """True for a zip whose ``mimetype`` member names an OpenDocument spreadsheet; raises ``ValidationError`` for
    an encrypted one or one that unpacks too big."""
    try:
        with zipfile.ZipFile(path if path is not None else io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" not in names or not archive.read("mimetype")[:64].startswith(_ODS_MIMETYPE):
                return False
            if sum(info.file_size for info in archive.infolist()) > UNCOMPRESSED_FACTOR * max_bytes:
                raise ValidationError(
                    "Tệp bảng tính quá lớn khi giải nén. Hãy chia danh sách thành nhiều tệp nhỏ hơn."
                )
            manifest = archive.read("META-INF/manifest.xml") if "META-INF/manifest.xml" in names else b""
            if b"encryption-data" in manifest:
                raise ValidationError(ENCRYPTED)
            return True
    except (zipfile.BadZipFile, OSError, RuntimeError):
        return False


def _open_calamine(data: bytes, fmt: str):
    """A ``CalamineBook`` of an .xls or .ods; ``ValidationError`` for an encrypted or unreadable file."""
    if fmt == "xls" and any(name in data for name in _OLE_ENCRYPTED_STREAMS):
        raise ValidationError(ENCRYPTED)  # an encrypted .xlsx travels in an OLE container
    import python_calamine

    from .calamine_book import CalamineBook

    try:
        wb = CalamineBook(data, fmt)
    except python_calamine.PasswordError as exc:
        raise ValidationError(ENCRYPTED) from exc
    except Exception as exc:  # CalamineError, XmlError, ZipError, ValueError … on damaged files
        raise ValidationError({"xls": UNREADABLE_XLS, "ods": UNREADABLE_ODS}.get(fmt, DAMAGED)) from exc
    if not wb.worksheets:
        wb.close()
        raise ValidationError("Tệp bảng tính không có trang tính nào.")
    return wb


def stream_rows(ws, **kwargs) -> Iterator[tuple]:
    """``ws.iter_rows(values_only=True, **kwargs)``; a damaged sheet part (read lazily) → ``ValidationError``."""
    rows = ws.iter_rows(values_only=True, **kwargs)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # ParseError, BadZipFile (CRC), zlib.error, openpyxl ValueError/KeyError …
            raise ValidationError(DAMAGED) from exc
        yield row


def reset_dimensions(ws) -> None:
    """Ignore the declared sheet dimension (may be "A1" or a million rows); rows are then read as they exist."""
    reset = getattr(ws, "reset_dimensions", None)
    if callable(reset):
        reset()
