from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CountermarkConfig(AppConfig):
    name = "countermark.django"
    label = "countermark"
    verbose_name = _("countermark API authentication")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks, migration  # noqa: F401  (registers the system checks)
