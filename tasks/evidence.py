"""Evidence files: which kinds are accepted (checked by content rather than by name), how
many an update may hold, and the removal from disk of files no row refers to any more."""

import datetime
import hashlib
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from tasks.exports import DOCX_CONTENT_TYPE, XLSX_CONTENT_TYPE
from tasks.models import Evidence

# Defaults of the settings read below (pilot/settings.py may set them from the environment).
MAX_FILES_PER_UPDATE = 20
MAX_TOTAL_BYTES_PER_UPDATE = 100 * 1024 * 1024
PURGE_GRACE_HOURS = 24

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


def check_evidence_quota(*, update, name: str, size: int) -> None:
    """Refuse one more file of ``size`` bytes when the update would exceed its quota.

    Settings: EVIDENCE_MAX_FILES_PER_UPDATE, EVIDENCE_MAX_TOTAL_BYTES_PER_UPDATE.
    """
    held = update.evidence.aggregate(count=Count("pk"), total=Sum("size"))
    count, total = held["count"], held["total"] or 0
    max_files = getattr(settings, "EVIDENCE_MAX_FILES_PER_UPDATE", MAX_FILES_PER_UPDATE)
    max_bytes = getattr(settings, "EVIDENCE_MAX_TOTAL_BYTES_PER_UPDATE", MAX_TOTAL_BYTES_PER_UPDATE)
    if count >= max_files:
        raise ValidationError(
            _("每份报送最多上传 %(max)s 个佐证材料，“%(name)s”未上传；请先删除不需要的文件。")
            % {"max": max_files, "name": name}
        )
    if total + size > max_bytes:
        raise ValidationError(
            _(
                "每份报送的佐证材料合计不超过 %(max)s，已上传 %(total)s，"
                "“%(name)s”（%(size)s）未上传；请先删除不需要的文件。"
            )
            % {
                "max": filesizeformat(max_bytes),
                "total": filesizeformat(total),
                "name": name,
                "size": filesizeformat(size),
            }
        )


def purge_orphan_files(*, dry_run: bool = False) -> list[str]:
    """Delete stored evidence files that no Evidence row refers to; return their names.

    A file younger than EVIDENCE_PURGE_GRACE_HOURS is kept: it may belong to an upload
    whose transaction has not committed yet.
    """
    storage = Evidence._meta.get_field("file").storage
    hours = getattr(settings, "EVIDENCE_PURGE_GRACE_HOURS", PURGE_GRACE_HOURS)
    # File times are real times: the portal's pinned demo date (pilot.clock) does not apply.
    cutoff = timezone.now() - datetime.timedelta(hours=hours)
    referenced = set(Evidence.objects.values_list("file", flat=True))
    purged = []
    for name in _stored_names(storage, "evidence"):
        if name in referenced or storage.get_modified_time(name) > cutoff:
            continue
        if not dry_run:
            storage.delete(name)
        purged.append(name)
    return purged


def _stored_names(storage, directory: str):
    if not storage.exists(directory):
        return
    directories, files = storage.listdir(directory)
    for name in sorted(files):
        yield f"{directory}/{name}"
    for child in sorted(directories):
        yield from _stored_names(storage, f"{directory}/{child}")
