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


class _FastSelectMixin:
    """Render a <select> in one pass instead of one template per <option>.

    Django renders every option through the widget template machinery; with hundreds of
    organisations and regions, or thousands of initiatives, that is most of a form page's time.
    Same markup and validation; choices come from the field as usual (label_from_instance kept).
    With `label_field`, a model field's options are read as (pk, label_field) pairs in one query,
    without building a model instance per row (for lists of thousands).
    """

    def __init__(self, *args, label_field: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.label_field = label_field

    def _options(self):
        if self.label_field:
            return self.choices.queryset.values_list("pk", self.label_field).iterator(chunk_size=5000)
        return self.choices

    def render(self, name, value, attrs=None, renderer=None) -> str:
        from django.forms.utils import flatatt
        from django.utils.html import escape
        from django.utils.safestring import mark_safe

        selected = {str(v) for v in self.format_value(value)}
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        parts = []
        for option_value, label in self._options():
            option_value = "" if option_value is None else str(option_value)
            mark = " selected" if option_value in selected else ""
            parts.append(f'<option value="{escape(option_value)}"{mark}>{escape(label)}</option>')
        return mark_safe(f"<select{flatatt(final_attrs)}>{''.join(parts)}</select>")  # noqa: S308 - escaped above


class FastSelect(_FastSelectMixin, forms.Select):
    pass


class FastSelectMultiple(_FastSelectMixin, forms.SelectMultiple):
    pass
