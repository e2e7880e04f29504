"""The board's initiative form. Validation of the rules lives in the model and the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from initiatives.models import Initiative, InitiativeLink
from portal.forms import FastSelect, FastSelectMultiple
from portal.models import Ecosystem, Organisation, Priority, Region


class InitiativeForm(forms.ModelForm):
    class Meta:
        model = Initiative
        fields = [
            "title", "description", "ecosystem", "regions", "lead_organisation", "partners", "type", "stage",
            "scope", "theme", "priorities", "vision_windows", "budget", "start_date", "end_date", "status",
            "published", "website", "contact_name", "contact_email",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            # Hundreds of organisations and regions: rendered in one pass (portal.forms).
            "ecosystem": FastSelect,
            "lead_organisation": FastSelect,
            "theme": FastSelect,
            "regions": FastSelectMultiple(attrs={"size": 8}),
            "partners": FastSelectMultiple(attrs={"size": 8}),
            "priorities": FastSelectMultiple(attrs={"size": 8}),
            "vision_windows": FastSelectMultiple(attrs={"size": 6}),
        }
        help_texts = {
            "regions": _("Provinces or COROP regions where the initiative takes place."),
            "published": _("Published initiatives appear on the open platform (not while a draft)."),
            "budget": _("In euros, without separators, e.g. 250000."),
        }

    def __init__(self, *args, ecosystems: QuerySet[Ecosystem], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ecosystem"].queryset = ecosystems
        self.fields["ecosystem"].required = True
        self.fields["ecosystem"].empty_label = None if ecosystems.count() == 1 else "---------"
        # Without the boundaries: a form needs names, not GeoJSON.
        self.fields["regions"].queryset = (
            Region.objects.exclude(kind=Region.Kind.LANDSDEEL).defer("geometry").order_by("kind", "name")
        )
        self.fields["regions"].label_from_instance = lambda r: f"{r.name} ({r.get_kind_display()})"
        organisations = Organisation.objects.order_by("name")
        self.fields["lead_organisation"].queryset = organisations
        self.fields["partners"].queryset = organisations
        self.fields["priorities"].queryset = Priority.objects.filter(active=True).order_by("kind", "code")
        # Merging belongs to the programme team's overlap workflow, not to this form.
        self.fields["status"].choices = [
            (value, label) for value, label in Initiative.Status.choices if value != Initiative.Status.MERGED
        ]

    def set_aria(self) -> None:
        """Tie help texts and errors to their inputs for screen readers (call before rendering)."""
        for name, field in self.fields.items():
            describedby = []
            if field.help_text:
                describedby.append(f"id_{name}_help")
            if self.errors.get(name):
                describedby.append(f"id_{name}_error")
                field.widget.attrs["aria-invalid"] = "true"
            if describedby:
                field.widget.attrs["aria-describedby"] = " ".join(describedby)


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
