"""Evidence files: which kinds are accepted, checked by content rather than by name."""

import hashlib
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from tasks.exports import DOCX_CONTENT_TYPE, XLSX_CONTENT_TYPE

# Extension -> (content type, the kinds filetype may report for such a file).
# Office files: .doc/.xls are OLE compound documents and .docx/.xlsx are zip packages;
# filetype tells them apart by the parts inside.
ALLOWED = {
    "pdf": ("application/pdf", {"pdf"}),
    "doc": ("application/msword", {"doc"}),
    "docx": (DOCX_CONTENT_TYPE, {"docx"}),
    "xls": ("application/vnd.ms-excel", {"xls", "doc"}),
    "xlsx": (XLSX_CONTENT_TYPE, {"xlsx"}),
    "jpg": ("image/jpeg", {"jpg"}),
    "jpeg": ("image/jpeg", {"jpg"}),
    "png": ("image/png", {"png"}),
}


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int
    sha256: str


def check_evidence_file(upload) -> CheckedFile:
    """Validate an uploaded file's size, extension and actual content; return its facts."""
    name = PurePath(upload.name).name[-200:]
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("文件“%(name)s”大小为 %(size)s，超过了 %(limit)s 的上限。")
            % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
    if upload.size == 0:
        raise ValidationError(_("文件“%(name)s”是空文件。") % {"name": name})
    extension = PurePath(name).suffix.lower().lstrip(".")
    if extension not in ALLOWED:
        raise ValidationError(
            _("文件“%(name)s”的类型不受支持。可上传 PDF、Word、Excel、JPG、PNG 文件。")
            % {"name": name}
        )
    content_type, kinds = ALLOWED[extension]
    upload.seek(0)
    head = upload.read(262_144)  # zip-based Office files name their parts inside
    detected = filetype.guess(head)
    if detected is None or detected.extension not in kinds:
        raise ValidationError(
            _(
                "文件“%(name)s”的内容与扩展名不符（可能是改了扩展名的其他文件），"
                "请上传真实的 %(ext)s 文件。"
            )
            % {"name": name, "ext": extension.upper()}
        )
    return CheckedFile(
        name=name, content_type=content_type, size=upload.size, sha256=_sha256(upload)
    )


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
