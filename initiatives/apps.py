from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InitiativesConfig(AppConfig):
    name = "initiatives"
    verbose_name = _("Initiatives")

    def ready(self) -> None:
        from initiatives.attention import pending_overlaps, stale_drafts
        from portal.attention import register_provider

        register_provider(stale_drafts)
        register_provider(pending_overlaps)
