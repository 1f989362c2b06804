from django import forms

import ml

from .models import Media, collections_of

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
    # The API's field and values (analysis.media.keep_media); empty: the owner's choice on the profile page.
    keep_media = forms.ChoiceField(
        label="Keep the media",
        required=False,
        choices=[
            ("", "As set in my profile"),
            ("always", "Always"),
            ("results_only", "Results only: delete the media once analysed"),
            *[(f"days:{n}", f"Delete after {n} day{'s' if n > 1 else ''}") for n in (1, 7, 30, 90, 365)],
        ],
    )

    # The owner's collections, filled in by __init__; the view checks the choice again (owned_collection).
    collection = forms.ChoiceField(label="Collection", required=False, choices=[("", "None")])

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["collection"].choices = [("", "None")] + [(str(c.pk), c.name) for c in collections_of(user)]

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
        if data.get("kind") == "clip":  # the pages say clip, the API's kind is video: both are taken
            data["kind"] = "video"
        return cls(data)

    def apply(self, items):
        """``items`` (a Media queryset) narrowed by the valid filters; all of them when the form is not valid."""
        if not self.is_valid():
            return items
        data = self.cleaned_data
        lookups = {
            "kind": "kind",
            "emotion": "dominant_emotion",
            "status": "status",
            "created_after": "created_at__date__gte",
            "created_before": "created_at__date__lte",
        }
        return items.filter(**{lookup: data[name] for name, lookup in lookups.items() if data.get(name)})

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("created_after"), cleaned.get("created_before")
        if since and until and since > until:
            raise forms.ValidationError("The start date is after the end date.", code="date_order")
        return cleaned


KEEP_CHOICES = [
    ("always", "Keep my media"),
    ("results_only", "Keep the results only: delete the media once it is analysed"),
    ("days", "Delete the media after a number of days"),
]


class KeepMediaForm(forms.Form):
    """A retention choice (analysis.media.keep_media) as a radio group and a number of days; ``keep_media``
    in cleaned_data is the API's value ("days:30")."""

    keep = forms.ChoiceField(label="Keep media", choices=KEEP_CHOICES, widget=forms.RadioSelect, initial="always")
    days = forms.IntegerField(label="Days", min_value=1, max_value=365, required=False, initial=30)

    def __init__(self, *args, keep_media: str = "", **kwargs):
        if keep_media and "initial" not in kwargs:
            keep, _, days = keep_media.partition(":")
            kwargs["initial"] = {"keep": keep, "days": int(days) if days else 30}
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        keep, days = cleaned.get("keep"), cleaned.get("days")
        if keep == "days":
            if not days:
                self.add_error("days", "Say after how many days (1 to 365).")
                return cleaned
            cleaned["keep_media"] = f"days:{days}"
        else:
            cleaned["keep_media"] = keep
        return cleaned
