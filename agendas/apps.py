from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendasConfig(AppConfig):
    name = "agendas"
    verbose_name = _("Regional innovation agendas (RIEA)")

    def ready(self) -> None:
        from agendas.attention import agendas_awaiting_review
        from portal.attention import register_provider

        register_provider(agendas_awaiting_review)
