"""Forms of the demand pages: they check input; the services decide and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from saas.attachments import ACCEPT

from .models import MAX_RESOLUTION_DAYS, Category, Rating


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT, "multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class DemandFileForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=[("", "—")] + list(Category.choices))
    title = forms.CharField(label=_("Title"), max_length=200, help_text=_("The problem in a few words."))
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What happened, since when, what you need; the park routes it to the right department."),
    )
    attachments = MultipleFileField(
        label=_("Files (optional)"),
        required=False,
        help_text=_("PDF, PNG or JPEG images, Word, Excel or PowerPoint; at most 20 MB each."),
    )


class RateForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("How satisfied are you with the answer?"), choices=Rating.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when unsatisfied: say what is still wrong. The demand is then reopened."),
    )


class AcceptForm(forms.Form):
    handler = forms.TypedChoiceField(label=_("Handler"), coerce=int, required=False, empty_value=None)
    department = forms.CharField(label=_("Handling department"), max_length=100, required=False)

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].choices = [("", "—")] + [(user.pk, user.get_short_name()) for user in staff]


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Your message to the enterprise"), widget=forms.Textarea(attrs={"rows": 4})
    )


class ExtendForm(forms.Form):
    extension_days = forms.IntegerField(
        label=_("Working days to add"), min_value=1, max_value=MAX_RESOLUTION_DAYS
    )
    comment = forms.CharField(
        label=_("Reason (the enterprise reads it)"), widget=forms.Textarea(attrs={"rows": 3})
    )


class CategoryPolicyForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices, widget=forms.HiddenInput)
    first_reply_days = forms.IntegerField(
        label=_("First reply (working days)"), min_value=1, max_value=MAX_RESOLUTION_DAYS
    )
    resolution_days = forms.IntegerField(
        label=_("Resolution (working days)"), min_value=1, max_value=MAX_RESOLUTION_DAYS
    )
    department = forms.CharField(label=_("Default department"), max_length=100, required=False)
