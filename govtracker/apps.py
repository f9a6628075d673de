"""Configurations of third-party apps that the project adjusts."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class LoginProtectionConfig(AxesAppConfig):
    """django-axes under a translated name: its own app has none, so the admin's menu
    showed "AXES" in every language."""

    verbose_name = _("login protection")
