from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelectionConfig(AppConfig):
    name = "selection"
    verbose_name = _("Selection (assessment framework)")

    def ready(self) -> None:
        from portal.attention import register_provider
        from selection.attention import rounds_near_deadline

        register_provider(rounds_near_deadline)
