"""GET /files/exports/<id>/: a finished account export's ZIP, for its owner only (as analysis.media.files
serves an item's files)."""

from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from analysis.jobs import storage
from analysis.media import files
from analysis.privacy.models import DataExport


@require_safe
def export(request, pk):
    """A finished account export's ZIP, for its owner, until it expires (analysis.privacy.models)."""
    found = get_object_or_404(DataExport.objects.for_user(files.requesting_user(request)), pk=pk)
    if not found.downloadable:
        raise Http404("This export has expired; ask for a new one.")
    url = storage.presigned_url(found.file, "application/zip")
    if url:
        response = HttpResponseRedirect(url)
        patch_cache_control(response, private=True, no_store=True)
        return response
    try:
        handle = found.file.open("rb")
    except FileNotFoundError:
        raise Http404("No such file.") from None
    response = FileResponse(handle, content_type="application/zip", as_attachment=True, filename="facet-export.zip")
    patch_cache_control(response, private=True, no_store=True)
    response["Content-Security-Policy"] = "sandbox"  # as every stored file (analysis.media.files)
    return response
