from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkConfig(AppConfig):
    name = "giaoban.work"
    label = "work"
    verbose_name = _("Giao ban, kết luận và nhiệm vụ")
