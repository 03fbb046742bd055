from django.apps import AppConfig


class CoreConfig(AppConfig):
    default = True
    name = "giaoban.core"
    label = "core"
    verbose_name = "giaoban"
