"""Template tags every page can use: ``{% load facet %}``."""

from django import template
from django.utils.html import json_script

import ml

register = template.Library()


@register.simple_tag
def emotions_script():
    """The emotion names in the model's order, as a JSON script that static/js/facet.js reads."""
    return json_script(list(ml.EMOTIONS), "facet-emotions")
