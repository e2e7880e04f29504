from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal core")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from portal import two_factor

        # Remember at login whether the user has an authenticator, so pages need no extra query.
        user_logged_in.connect(two_factor.remember_device_on_login, dispatch_uid="portal-2fa-login")
