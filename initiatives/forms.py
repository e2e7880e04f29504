"""Forms of the initiatives app."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from initiatives.models import InitiativeLink


class OverlapActionForm(forms.Form):
    """One staff action on a suggestion; the fields each action needs are checked in clean()."""

    ACTIONS = (
        ("confirm", _("Confirm overlap")),
        ("complementary", _("Mark complementary")),
        ("dismiss", _("Dismiss")),
        ("link", _("Link")),
        ("merge", _("Merge")),
    )
    action = forms.ChoiceField(label=_("action"), choices=ACTIONS)
    reason = forms.CharField(label=_("reason"), required=False, max_length=1000)
    link_kind = forms.ChoiceField(label=_("link type"), choices=InitiativeLink.Kind.choices, required=False)
    survivor = forms.ChoiceField(label=_("surviving initiative"), choices=(("a", "a"), ("b", "b")), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        action = data.get("action")
        if action == "dismiss" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason for dismissing this suggestion."))
        if action == "link" and not data.get("link_kind"):
            self.add_error("link_kind", _("Choose a link type."))
        if action == "merge" and not data.get("survivor"):
            self.add_error("survivor", _("Choose the initiative that continues."))
        return data
