from django.http import HttpResponse
from django.shortcuts import render


def index(request):
    """The home page: its stylesheet link needs the static files manifest when DEBUG is off."""
    return render(request, "catalog/index.html", {"num_books": 0})


def health(request):
    return HttpResponse("ok\n", content_type="text/plain")
