"""Forms for the agenda editor, the review screen and the Excel import (which reuses the row forms)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from agendas.models import (
    CRITERIA,
    PART_MODELS,
    TEXT_FIELDS_BY_CRITERION,
    Action,
    AgendaFundingLine,
    AgendaVersion,
    Agreement,
    Commitment,
    Endorsement,
    Goal,
    HumanCapitalAction,
    ReviewMoment,
)
from initiatives.models import Initiative
from portal.forms import FastSelectMultiple

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VersionTextForm(forms.ModelForm):
    """The text parts of one criterion, with the lock number the editor loaded."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    class Meta:
        model = AgendaVersion
        fields = [f for fields in TEXT_FIELDS_BY_CRITERION.values() for f in fields]
        widgets = {
            "vision": forms.Textarea(attrs={"rows": 8}),
            "dna_analysis": forms.Textarea(attrs={"rows": 8}),
            "impact": forms.Textarea(attrs={"rows": 5}),
            "governance": forms.Textarea(attrs={"rows": 5}),
            "monitoring": forms.Textarea(attrs={"rows": 5}),
            "last_revision": DATE,
        }

    def __init__(self, *args: Any, criterion: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keep = set(TEXT_FIELDS_BY_CRITERION[criterion]) | {"lock_version"}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if not self.is_bound and self.instance.pk:
            self.initial["lock_version"] = self.instance.lock_version

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("horizon_start"), data.get("horizon_end")
        if start and end and end < start:
            self.add_error("horizon_end", _("The last year lies before the first year."))
        return data

    def content(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "lock_version"}


class EndorsementForm(forms.ModelForm):
    class Meta:
        model = Endorsement
        fields = ["organisation", "helix_role", "endorsed_on", "signatory"]
        widgets = {"endorsed_on": DATE}


class ReviewMomentForm(forms.ModelForm):
    class Meta:
        model = ReviewMoment
        fields = ["planned_on", "description"]
        widgets = {"planned_on": DATE}


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["title", "indicator", "baseline", "target", "target_year"]


class CommitmentForm(forms.ModelForm):
    class Meta:
        model = Commitment
        fields = ["party", "helix_role", "kind", "amount", "description"]


class ActionForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = ["title", "scope", "lead_organisation", "budget", "initiatives"]
        # An ecosystem has thousands of initiatives at national scale: render the list cheaply.
        widgets = {"initiatives": FastSelectMultiple(attrs={"size": 8}, label_field="title")}

    def __init__(self, *args: Any, ecosystem_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the ecosystem's own initiatives can be linked.
        self.fields["initiatives"].queryset = (
            Initiative.objects.filter(ecosystem_id=ecosystem_id).order_by("title")
        )


class HumanCapitalActionForm(forms.ModelForm):
    class Meta:
        model = HumanCapitalAction
        fields = ["title", "kind", "with_mbo", "with_hogeschool", "with_university", "education_partners"]


class FundingLineForm(forms.ModelForm):
    class Meta:
        model = AgendaFundingLine
        fields = [
            "description", "instrument", "source_level", "form", "amount", "year_from", "year_to", "is_private",
            "revolving_share",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("year_from") and data.get("year_to") and data["year_to"] < data["year_from"]:
            self.add_error("year_to", _("The last year lies before the first year."))
        return data


class AgreementForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = [
            "topic", "description", "ministry", "regional_owner", "national_role", "regional_role", "due_date", "status",
        ]
        widgets = {"due_date": DATE}


PART_FORMS: dict[str, type[forms.ModelForm]] = {
    "endorsement": EndorsementForm,
    "review_moment": ReviewMomentForm,
    "goal": GoalForm,
    "commitment": CommitmentForm,
    "action": ActionForm,
    "human_capital": HumanCapitalActionForm,
    "funding_line": FundingLineForm,
    "agreement": AgreementForm,
}
assert set(PART_FORMS) == set(PART_MODELS)  # noqa: S101 - import-time consistency check

# Which row kinds the editor shows on each criterion's page.
PARTS_BY_CRITERION: dict[int, list[str]] = {
    1: ["endorsement"], 2: ["review_moment"], 3: ["goal", "commitment"], 4: ["action"],
    5: ["human_capital"], 6: ["funding_line"], 7: ["agreement"],
}


def part_form(kind: str, *args: Any, ecosystem_id: int | None = None, **kwargs: Any) -> forms.ModelForm:
    form_class = PART_FORMS[kind]
    kwargs.setdefault("prefix", kind)
    if form_class is ActionForm:
        return ActionForm(*args, ecosystem_id=ecosystem_id, **kwargs)
    return form_class(*args, **kwargs)


class AssessmentForm(forms.Form):
    """Scores and feedback for all seven criteria at once (the review screen)."""

    def __init__(self, *args: Any, initial_scores: dict[int, tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        initial_scores = initial_scores or {}
        score_choices = [("", "-"), *[(str(i), str(i)) for i in range(4)]]
        for n, title in CRITERIA.items():
            score, feedback = initial_scores.get(n, (None, ""))
            self.fields[f"score_{n}"] = forms.TypedChoiceField(
                label=_("Score for criterion %(n)s") % {"n": n}, choices=score_choices, coerce=int,
                required=False, empty_value=None, initial=score,
            )
            self.fields[f"feedback_{n}"] = forms.CharField(
                label=_("Feedback on criterion %(n)s") % {"n": n}, required=False, initial=feedback,
                widget=forms.Textarea(attrs={"rows": 3}), help_text=title,
            )

    def scores(self) -> dict[int, tuple[int, str]]:
        """The criteria that received a score: {criterion: (score, feedback)}."""
        return {
            n: (self.cleaned_data[f"score_{n}"], self.cleaned_data[f"feedback_{n}"])
            for n in CRITERIA if self.cleaned_data.get(f"score_{n}") is not None
        }


class TransitionForm(forms.Form):
    target = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note (overall feedback)"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))

    def clean_file(self) -> Any:
        from portal.uploads import validate_xlsx_upload

        upload = self.cleaned_data["file"]
        validate_xlsx_upload(upload, name=upload.name or "", size=upload.size)
        return upload
