"""Writes and checks for API tokens. The secret is returned once and never stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.exceptions import ApplicationError
from portal.models import Organisation, User
from portal.services import activity_record
from portal.tokens import ApiToken

TOKEN_PREFIX = "rip_"  # noqa: S105  (a public marker, not a secret)
# A token's last-use time is written at most this often, so reads do not all become writes.
LAST_USED_RESOLUTION = dt.timedelta(seconds=60)
TOKEN_ROLES = (User.Role.ROM, User.Role.STAFF, User.Role.ASSESSOR, User.Role.BOARD)
_DEFAULT_ROLE_BY_KIND = {
    Organisation.Kind.ROM: User.Role.ROM,
    Organisation.Kind.MINISTRY: User.Role.STAFF,
    Organisation.Kind.ECONOMIC_BOARD: User.Role.BOARD,
    Organisation.Kind.PROVINCE: User.Role.BOARD,
}


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def default_role_for(organisation: Organisation) -> str | None:
    return _DEFAULT_ROLE_BY_KIND.get(organisation.kind)


def service_user_get_or_create(*, organisation: Organisation, role: str) -> User:
    """The user an organisation's tokens act as: one per organisation and role, without a password."""
    username = f"api-{organisation.slug}-{role}"[:150]
    user, created = User.objects.get_or_create(
        username=username, defaults={"organisation": organisation, "role": role, "is_active": True},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def api_token_issue(
    *,
    organisation: Organisation,
    name: str,
    actor: User | None,
    role: str | None = None,
    expires_at: dt.datetime | None = None,
    rate_limit: int | None = None,
) -> tuple[ApiToken, str]:
    """Create a token. Returns the row and the secret; only the secret's hash is kept."""
    role = role or default_role_for(organisation)
    if role not in TOKEN_ROLES:
        raise ApplicationError(
            _("Choose a role for this organisation's token (one of: %(roles)s).") % {"roles": ", ".join(TOKEN_ROLES)},
            extra={"fields": {"role": [_("Not a valid role for an API token.")]}},
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise ApplicationError(
            _("The expiry date lies in the past."), extra={"fields": {"expires_at": [_("Must be in the future.")]}}
        )
    user = service_user_get_or_create(organisation=organisation, role=role)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        organisation=organisation, user=user, name=name or _("API token"), prefix=raw[:12],
        token_hash=token_hash(raw), expires_at=expires_at, rate_limit=rate_limit,
    )
    token.full_clean()
    token.save()
    activity_record(actor=actor, verb="api_token.issued", target=organisation, changes={"api_token": [None, str(token)]})
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User | None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        activity_record(
            actor=actor, verb="api_token.revoked", target=token.organisation, changes={"api_token": [str(token), None]}
        )
    return token


def api_token_authenticate(*, raw: str) -> ApiToken | None:
    """The valid token for this secret, or None. Marks it used (at most once a minute)."""
    token = (
        ApiToken.objects.select_related("user", "organisation")
        .filter(token_hash=token_hash(raw))
        .first()
    )
    if token is None or not token.is_valid or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
