from django.core.management.base import BaseCommand

from tasks.models import Programme
from tasks.services.periods import generate_periods


class Command(BaseCommand):
    help = "Create the monthly reporting periods of every programme (existing ones are kept)."

    def handle(self, *args, **options):
        for programme in Programme.objects.all():
            periods = generate_periods(programme=programme)
            self.stdout.write(f"{programme.code}: {len(periods)} periods")
