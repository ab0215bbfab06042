from django.core.management.base import BaseCommand

from departments.models import Profile, Role
from departments.services import grant_office_admin, sync_office_group


class Command(BaseCommand):
    help = "Give the office group its admin rights and put every office account in it."

    def handle(self, *args, **options):
        group = sync_office_group()
        profiles = Profile.objects.filter(role=Role.OFFICE).select_related("user")
        for profile in profiles:
            grant_office_admin(user=profile.user)
        self.stdout.write(
            f"{group.name}: {group.permissions.count()} permissions, {len(profiles)} accounts"
        )
