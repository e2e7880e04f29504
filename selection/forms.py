"""Forms of the selection screens. They validate input; services do the work."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from initiatives.models import Initiative
from portal.models import Priority, Region, Theme
from selection.models import Criterion, Decision, FrameworkVersion


class RoundForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    framework_version = forms.ModelChoiceField(
        label=_("Framework version"), queryset=FrameworkVersion.objects.select_related("framework")
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"), queryset=Theme.objects.all(), required=False, to_field_name="code"
    )
    priorities = forms.ModelMultipleChoiceField(
        label=_("National priorities"), queryset=Priority.objects.filter(active=True), required=False, to_field_name="code"
    )
    regions = forms.ModelMultipleChoiceField(
        label=_("Regions (province or COROP)"), queryset=Region.objects.exclude(kind=Region.Kind.LANDSDEEL),
        required=False, to_field_name="code",
    )
    stages = forms.MultipleChoiceField(label=_("Stages"), choices=Initiative.Stage.choices, required=False)
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    disagreement_threshold = forms.DecimalField(
        label=_("Disagreement threshold (spread)"), min_value=0, max_value=100, initial=2, decimal_places=2
    )
    shortlist_size = forms.IntegerField(label=_("Shortlist size"), min_value=1, max_value=1000, initial=10)

    def scope(self) -> dict[str, list[str]]:
        data = self.cleaned_data
        return {
            "themes": [t.code for t in data["themes"]], "priorities": [p.code for p in data["priorities"]],
            "regions": [r.code for r in data["regions"]], "stages": list(data["stages"]),
        }


class AssignForm(forms.Form):
    assessors = forms.ModelMultipleChoiceField(label=_("Assessors"), queryset=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from selection.selectors import assessor_choices

        super().__init__(*args, **kwargs)
        self.fields["assessors"].queryset = assessor_choices()


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Decision.Outcome.choices, widget=forms.RadioSelect)
    rationale = forms.CharField(label=_("Rationale"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class ConflictForm(forms.Form):
    statement = forms.CharField(
        label=_("Describe the conflict of interest"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class AssessmentForm(forms.Form):
    """One score, a 'not applicable' box (where allowed) and a motivation per criterion."""

    def __init__(self, *args: Any, criteria: list[Criterion], initial_scores: dict[int, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        language = get_language() or "nl"
        for criterion in criteria:
            score = initial_scores.get(criterion.pk)
            choices = [("", "-")] + [(str(v), str(v)) for v in range(criterion.scale_min, criterion.scale_max + 1)]
            self.fields[f"c{criterion.pk}-value"] = forms.TypedChoiceField(
                label=criterion.question(language), choices=choices, coerce=int, empty_value=None, required=False,
                initial=score.value if score else None, help_text=criterion.help_text,
            )
            if criterion.allows_not_applicable:
                self.fields[f"c{criterion.pk}-na"] = forms.BooleanField(
                    label=_("Not applicable"), required=False, initial=bool(score and score.not_applicable)
                )
            self.fields[f"c{criterion.pk}-motivation"] = forms.CharField(
                label=_("Motivation"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}),
                initial=score.motivation if score else "",
            )

    def answers(self) -> dict[int, Any]:
        from selection.services import ScoreInput

        return {
            c.pk: ScoreInput(
                value=self.cleaned_data.get(f"c{c.pk}-value"),
                not_applicable=bool(self.cleaned_data.get(f"c{c.pk}-na")),
                motivation=self.cleaned_data.get(f"c{c.pk}-motivation") or "",
            )
            for c in self.criteria
        }

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "criterion": c, "value": self[f"c{c.pk}-value"], "motivation": self[f"c{c.pk}-motivation"],
                "na": self[f"c{c.pk}-na"] if c.allows_not_applicable else None,
                "error_key": f"c{c.pk}",
            }
            for c in self.criteria
        ]


class WhatIfForm(forms.Form):
    """Weights per criterion code (w_<code>); an empty or invalid field keeps the framework weight."""

    def __init__(self, *args: Any, criteria: list[Criterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for c in criteria:
            self.fields[f"w_{c.code}"] = forms.DecimalField(
                label=f"{c.position}. {c.code}", min_value=0, max_value=100, decimal_places=3, required=False,
                initial=c.weight, widget=forms.NumberInput(attrs={"step": "0.5", "class": "portal-weight"}),
            )

    def weights(self) -> dict[str, float]:
        if not self.is_valid():
            return {}
        return {
            c.code: float(self.cleaned_data[f"w_{c.code}"])
            for c in self.criteria
            if self.cleaned_data.get(f"w_{c.code}") is not None
        }
