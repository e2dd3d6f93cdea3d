"""The two-step verification's own pages under /admin/two-step/ (timeline/two_step.py), outside the
admin site's permission check: an account that must set up the second step reaches these only.
The namespace is two_factor's, by which its views find each other."""

from django.contrib.auth.views import LogoutView
from django.urls import path
from two_factor.views import QRGeneratorView

from .two_step import SetupCompleteView, SetupView

app_name = "two_factor"

urlpatterns = [
    path("setup/", SetupView.as_view(), name="setup"),
    path("qrcode/", QRGeneratorView.as_view(), name="qr"),
    path("setup/complete/", SetupCompleteView.as_view(), name="setup_complete"),
    # The admin's own logout answers only accounts it lets in; this one also those on the setup.
    path("logout/", LogoutView.as_view(next_page="admin:login"), name="logout"),
]
