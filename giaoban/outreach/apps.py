from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "giaoban.outreach"
    label = "outreach"
    verbose_name = _("Kênh thông tin, cuộc thi và tập huấn")
