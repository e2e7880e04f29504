from django import forms

from portal.models import Ecosystem


class EcosystemProfileForm(forms.ModelForm):
    class Meta:
        model = Ecosystem
        fields = ["profile", "strengths"]
        widgets = {
            "profile": forms.Textarea(attrs={"rows": 8}),
            "strengths": forms.Textarea(attrs={"rows": 4}),
        }
