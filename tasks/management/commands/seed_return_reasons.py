"""Create the office's standard return reasons; safe to run again (existing rows stay)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from tasks.models import ReturnReason

# The office edits, reorders and retires these in the admin; this is only the start.
STANDARD_REASONS = (
    "工作进展描述过于笼统，缺少具体举措和成效",
    "未提供佐证材料或佐证材料不完整",
    "完成进度与工作进展描述不符",
    "推进状态与实际情况不符",
    "下步工作计划不明确，缺少时间节点",
    "存在问题及需协调事项表述不清",
    "内容与上期相同，未体现本期新进展",
    "未汇总配合单位的报送情况",
)


class Command(BaseCommand):
    help = "创建常用退回原因（可重复运行，已有的原因保持不变）。"

    @transaction.atomic
    def handle(self, *args, **options):
        created = 0
        for order, text in enumerate(STANDARD_REASONS, start=1):
            _reason, is_new = ReturnReason.objects.get_or_create(
                text=text, defaults={"order": order * 10}
            )
            created += is_new
        self.stdout.write(f"created {created}, kept {len(STANDARD_REASONS) - created}")
