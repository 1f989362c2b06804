from django import forms

import ml

from .models import Media

EMOTION_CHOICES = [("", "Any emotion")] + [(name, name.capitalize()) for name in ml.EMOTIONS]

# One form POST carries at most this many files; the JS path sends one file per request instead.
MAX_FILES_PER_POST = 50


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that accepts several files from one <input multiple>."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        # Deliberately not FileField's per-file checks: it raises for the whole field when one file
        # is empty, which would reject the good files beside it. services.create_media judges each.
        if isinstance(data, (list, tuple)):
            files = [item for item in data if item is not None]
        else:
            files = [data] if data else []
        if not files and self.required:
            raise forms.ValidationError("Choose at least one photo.", code="required")
        if len(files) > MAX_FILES_PER_POST:
            raise forms.ValidationError(
                f"At most {MAX_FILES_PER_POST} photos at once; you chose {len(files)}.", code="too_many"
            )
        return files


# Photos, and the clip containers analysis.services accepts (by content; this only guides the picker).
ACCEPT = "image/jpeg,image/png,image/webp,image/*,video/mp4,video/webm,video/quicktime,video/x-msvideo,.mov,.avi"


class UploadForm(forms.Form):
    # Content checks (format, size, pixel count) happen per file in services.create_media, so that
    # one bad file is reported on its own and does not reject the good ones beside it.
    file = MultipleFileField(
        label="Photos",
        required=False,
        widget=MultipleFileInput(attrs={"accept": ACCEPT}),
    )
    every_frame = forms.BooleanField(label="Analyse every frame of clips", required=False)

    def clean_file(self):
        files = self.cleaned_data["file"]
        if not files:
            raise forms.ValidationError("Choose at least one photo.", code="required")
        return files


KIND_CHOICES = [("", "Any kind"), ("photo", "Photos"), ("video", "Clips"), ("live", "Live recordings")]
# Older links name the dates since/until; the page and the API both take them as created_after/before.
DATE_ALIASES = {"since": "created_after", "until": "created_before"}


class GalleryFilterForm(forms.Form):
    """The gallery's filters, named as the API's (``kind``, ``emotion``, ``status``, ``created_after``,
    ``created_before``), so a filtered page and a filtered API list are the same question."""

    kind = forms.ChoiceField(choices=KIND_CHOICES, required=False)
    emotion = forms.ChoiceField(choices=EMOTION_CHOICES, required=False)
    status = forms.ChoiceField(choices=[("", "Any status")] + list(Media.Status.choices), required=False)
    created_after = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    created_before = forms.DateField(label="Until", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    @classmethod
    def from_query(cls, query) -> "GalleryFilterForm":
        """The form of a page's query string (unbound when there is none), the date aliases applied."""
        if not query:
            return cls()
        data = query.copy()
        for alias, name in DATE_ALIASES.items():
            if alias in data and not data.get(name):
                data[name] = data[alias]
        return cls(data)

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("created_after"), cleaned.get("created_before")
        if since and until and since > until:
            raise forms.ValidationError("The start date is after the end date.", code="date_order")
        return cleaned
