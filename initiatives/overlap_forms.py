"""Forms of the overlap pages that boards use: propose a link, answer a proposal, filter the network."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from initiatives import overlap_selectors
from initiatives.models import InitiativeLink
from portal.models import Priority, Theme
from portal.permissions import AnyUser


class LinkProposalForm(forms.Form):
    """A board proposes a typed link from one of its own initiatives to another initiative."""

    from_initiative = forms.ModelChoiceField(label=_("your initiative"), queryset=None)
    to_initiative = forms.ModelChoiceField(
        label=_("other initiative (number)"), queryset=None, widget=forms.NumberInput(attrs={"min": 1}),
        help_text=_("The number of the initiative, as shown in its address (/initiatieven/123/)."),
        error_messages={"invalid_choice": _("No initiative with this number that you can link to.")},
    )
    kind = forms.ChoiceField(label=_("link type"), choices=InitiativeLink.Kind.choices)

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_initiative"].queryset = overlap_selectors.overlap_board_own_initiatives(user=user)
        self.fields["to_initiative"].queryset = overlap_selectors.overlap_link_targets(user=user)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        a, b = data.get("from_initiative"), data.get("to_initiative")
        if a is not None and b is not None and a.pk == b.pk:
            self.add_error("to_initiative", _("Choose another initiative than your own."))
        return data


class LinkAnswerForm(forms.Form):
    answer = forms.ChoiceField(label=_("answer"), choices=(("accept", _("Accept")), ("decline", _("Decline"))))


class NetworkFilterForm(forms.Form):
    theme = forms.ChoiceField(label=_("theme"), required=False)
    priority = forms.ChoiceField(label=_("national priority"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("all"))]
        self.fields["theme"].choices = everything + [
            (t.code, str(t)) for t in Theme.objects.order_by("name_nl")
        ]
        self.fields["priority"].choices = everything + [
            (p.code, f"{p.code} {p}") for p in Priority.objects.filter(active=True).order_by("kind", "code")
        ]
