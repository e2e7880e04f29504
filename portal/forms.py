from django import forms
from django.utils.translation import gettext_lazy as _

from portal.models import Ecosystem


class EcosystemProfileForm(forms.ModelForm):
    class Meta:
        model = Ecosystem
        fields = ["profile", "strengths"]
        widgets = {
            "profile": forms.Textarea(attrs={"rows": 8}),
            "strengths": forms.Textarea(attrs={"rows": 4}),
        }


class OtpCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"), max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."))
        return password
