"""Uploads (DESIGN.md §8): whitelisted by content, size-limited, stored outside ``static/`` under
random names, and served only through a route that has checked permissions first.

`store_upload` reads the file once (up to the limit), recognises the type by its magic bytes —
PDF, PNG, JPEG, and DOCX/XLSX as a ZIP whose ``[Content_Types].xml`` declares a Word document
or an Excel workbook (macro-enabled variants are refused) — and only then writes it to
``UPLOAD_FOLDER``. A refusal raises `UploadRefused` (a `ServiceError` with a Dutch message) and
stores nothing. The file name the user gave is kept for display and download only.
"""
from __future__ import annotations

import io
import os
import re
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from flask import Response, current_app, send_file
from flask_babel import lazy_gettext as _l

from mvi_community.core.errors import NotFound, ServiceError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

KINDS: dict[str, tuple[str, str]] = {
    # kind: (content type, extension)
    "pdf": ("application/pdf", "pdf"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "png": ("image/png", "png"),
    "jpeg": ("image/jpeg", "jpg"),
}
IMAGE_KINDS = frozenset({"png", "jpeg"})

_OOXML_MAIN = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
_STORED_NAME = re.compile(r"^[0-9a-f]{32}$")


class UploadRefused(ServiceError):
    """The file was not accepted; nothing was stored."""


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    filename: str
    content_type: str
    kind: str
    size: int


def max_upload_bytes() -> int:
    config = current_app.config
    return int(config.get("UPLOAD_MAX_BYTES") or config.get("MAX_CONTENT_LENGTH") or DEFAULT_MAX_BYTES)


def upload_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def detect_kind(data: bytes) -> str | None:
    """The kind of a file from its content, or None when it is not on the whitelist."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"PK\x03\x04"):
        return _ooxml_kind(data)
    return None


def _ooxml_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > 1024 * 1024:  # a content-types part is a few kB; refuse zip bombs
                return None
            content_types = archive.read(info).decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, zipfile.LargeZipFile, OSError, RuntimeError, ValueError, EOFError):
        return None
    for kind, main in _OOXML_MAIN.items():
        if f'ContentType="{main}"' in content_types:
            return kind
    return None


def _clean_filename(name: str | None, extension: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    base = "".join(c for c in base if c.isprintable() and c not in '<>:"/\\|?*').strip(". ")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{(stem or 'bestand')[:150]}.{extension}"


def store_upload(file: Any) -> StoredFile:
    """Check and store an uploaded file (a werkzeug FileStorage); raises `UploadRefused`."""
    if file is None or not getattr(file, "filename", None):
        raise UploadRefused(_l("Kies een bestand om te uploaden."), field="file")
    limit = max_upload_bytes()
    stream: IO[bytes] = file.stream
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise UploadRefused(
            _l("Het bestand is te groot. Het mag hoogstens %(mb)s MB zijn.", mb=limit // (1024 * 1024) or 1),
            field="file",
        )
    if not data:
        raise UploadRefused(_l("Het bestand is leeg."), field="file")
    kind = detect_kind(data)
    if kind is None:
        raise UploadRefused(
            _l("Dit soort bestand kan niet worden geüpload. Toegestaan zijn PDF, Word (.docx), "
               "Excel (.xlsx), PNG en JPEG."),
            field="file",
        )
    content_type, extension = KINDS[kind]
    stored_name = secrets.token_hex(16)
    path = _path(stored_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".part")
    with open(temporary, "xb") as handle:
        handle.write(data)
    os.replace(temporary, path)
    return StoredFile(stored_name=stored_name, filename=_clean_filename(file.filename, extension),
                      content_type=content_type, kind=kind, size=len(data))


def _path(stored_name: str) -> Path:
    if not _STORED_NAME.match(stored_name or ""):
        raise NotFound()
    return upload_folder() / stored_name[:2] / stored_name


def delete_stored(stored_name: str) -> None:
    try:
        _path(stored_name).unlink()
    except (FileNotFoundError, NotFound):
        pass


def send_stored(stored_name: str, filename: str, content_type: str) -> Response:
    """Send a stored file; call only after the permission check. Images inline, the rest as download."""
    path = _path(stored_name)
    if not path.is_file():
        raise NotFound()
    inline = content_type in ("image/png", "image/jpeg")
    response = send_file(path, mimetype=content_type, as_attachment=not inline, download_name=filename,
                         max_age=0, conditional=True)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
