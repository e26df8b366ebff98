from django.core.management.base import BaseCommand

from public_schema.tenants.selectors import spare_pool_size
from public_schema.tenants.services import spare_pool_refill


class Command(BaseCommand):
    help = "Top up the pool of pre-migrated spare schemas used for instant provisioning."

    def add_arguments(self, parser):
        parser.add_argument(
            "--size", type=int, default=None, help="Target pool size (default PARKHUB_SPARE_POOL_SIZE)"
        )

    def handle(self, *args, **options):
        created = spare_pool_refill(target=options["size"])
        self.stdout.write(f"Created {created} spare schema(s); the pool now holds {spare_pool_size()}.")
