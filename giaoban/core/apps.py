from django.apps import AppConfig


class CoreConfig(AppConfig):
    default = True
    name = "giaoban.core"
    label = "core"
    verbose_name = "giaoban"

    def ready(self) -> None:
        from .api.authentication import connect_signals

        connect_signals()
