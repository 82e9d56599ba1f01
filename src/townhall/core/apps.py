from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def create_cache_table(*, using: str = "default", **kwargs: Any) -> None:
    """`migrate` also creates the database cache's table when the cache is in
    the database (no REDIS_URL); `createcachetable` skips one that exists."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "townhall.core"
    label = "core"
    verbose_name = _("Townhall core")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from townhall.core import memo

        post_migrate.connect(create_cache_table, sender=self)
        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(memo.forget, dispatch_uid=f"townhall-memo-{signal!r}")
