from django import forms

import ml
from analysis.collections.models import Collection

LABEL_CHOICES = [("", "No label")] + [(name, name.capitalize()) for name in ml.EMOTIONS]


class CollectionForm(forms.ModelForm):
    class Meta:
        model = Collection
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class DeleteCollectionForm(forms.Form):
    delete_items = forms.BooleanField(label="Also delete its items, their results and files", required=False)


class ArchiveForm(forms.Form):
    file = forms.FileField(label="ZIP archive of photos and clips", widget=forms.FileInput(attrs={"accept": ".zip"}))


class LabelsForm(forms.Form):
    file = forms.FileField(label="labels.csv (file,emotion)", widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}))


class ItemLabelForm(forms.Form):
    """The item page's label and collection; ``collection`` offers only the owner's collections."""

    expected_emotion = forms.ChoiceField(label="Expected emotion (your label)", choices=LABEL_CHOICES, required=False)
    collection = forms.ModelChoiceField(
        label="Collection", queryset=Collection.objects.none(), required=False, empty_label="None"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collection"].queryset = Collection.objects.for_user(user).order_by("name")
