"""Uploads: whitelisted by content, size-limited, random names outside static/, nothing stored on refusal."""
from __future__ import annotations

import io
import zipfile

import pytest

from mvi_community.core import uploads

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32


def ooxml(main: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml",
                         '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                         f'<Override PartName="/main.xml" ContentType="{main}"/></Types>')
        archive.writestr("main.xml", "<x/>")
    return buffer.getvalue()


DOCX = ooxml("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml")
XLSX = ooxml("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")
DOCM = ooxml("application/vnd.ms-word.document.macroEnabled.main+xml")


class FakeUpload:
    def __init__(self, data: bytes, filename: str) -> None:
        self.stream = io.BytesIO(data)
        self.filename = filename


@pytest.fixture()
def folder(app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    return tmp_path / "uploads"


@pytest.mark.parametrize(("data", "name", "kind", "stored_as"), [
    (PDF, "bestek.pdf", "pdf", "bestek.pdf"),
    (PNG, "foto.PNG", "png", "foto.png"),
    (JPEG, "foto.jpeg", "jpeg", "foto.jpg"),
    (DOCX, "verslag.docx", "docx", "verslag.docx"),
    (XLSX, "begroting.xlsx", "xlsx", "begroting.xlsx"),
    (PDF, "../../etc/passwd", "pdf", "passwd.pdf"),   # a path in the name is dropped
    (PNG, "rapport.pdf", "png", "rapport.png"),        # the extension follows the content
])
def test_accepted_by_content(folder, data, name, kind, stored_as):
    stored = uploads.store_upload(FakeUpload(data, name))
    assert stored.kind == kind and stored.filename == stored_as and stored.size == len(data)
    path = folder / stored.stored_name[:2] / stored.stored_name
    assert path.read_bytes() == data
    assert "static" not in str(path) and len(stored.stored_name) == 32 and name not in str(path)


@pytest.mark.parametrize(("data", "name"), [
    (b"MZ\x90\x00" + b"\x00" * 60, "rapport.pdf"),                    # a Windows program named .pdf
    (b"<html><script>alert(1)</script></html>", "pagina.png"),
    (DOCM, "macro.docx"),                                            # macro-enabled Word document
    (ooxml("application/xml"), "leeg.xlsx"),
    (b"PK\x03\x04not really a zip", "kapot.docx"),
    (b"GIF89a" + b"\x00" * 20, "animatie.gif"),
    (b"", "leeg.pdf"),
])
def test_refused_by_content_and_nothing_stored(folder, data, name):
    with pytest.raises(uploads.UploadRefused) as error:
        uploads.store_upload(FakeUpload(data, name))
    assert error.value.field == "file" and str(error.value.message)
    assert not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))


def test_size_limit_from_config(app, folder):
    app.config["UPLOAD_MAX_BYTES"] = 1024
    with pytest.raises(uploads.UploadRefused) as error:
        uploads.store_upload(FakeUpload(PDF + b"0" * 2048, "groot.pdf"))
    assert "te groot" in str(error.value.message)
    assert not folder.exists() or not any(folder.rglob("*"))
    assert uploads.max_upload_bytes() == 1024
    del app.config["UPLOAD_MAX_BYTES"]
    assert uploads.max_upload_bytes() == app.config["MAX_CONTENT_LENGTH"] == 10 * 1024 * 1024


def test_no_file_chosen(folder):
    with pytest.raises(uploads.UploadRefused):
        uploads.store_upload(FakeUpload(PDF, ""))
    with pytest.raises(uploads.UploadRefused):
        uploads.store_upload(None)


def test_stored_names_are_checked(app, folder):
    from mvi_community.core.errors import NotFound

    with app.test_request_context():
        with pytest.raises(NotFound):
            uploads.send_stored("../../config.py", "x.pdf", "application/pdf")
        with pytest.raises(NotFound):
            uploads.send_stored("0" * 32, "x.pdf", "application/pdf")
    uploads.delete_stored("../nope")  # silently ignored
