"""Signing in with an OpenID Connect provider, under /account/oidc/."""

from django.urls import path

from townhall.residents import oidc_views

app_name = "oidc"

urlpatterns = [
    path("start/", oidc_views.start, name="start"),
    path("callback/", oidc_views.callback, name="callback"),
]
