from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default = True
    name = "giaoban.accounts"
    label = "accounts"
    verbose_name = "giaoban: tài khoản"

    def ready(self) -> None:
        from . import checks, methods  # noqa: F401 (checks registers itself)
        from .signals import connect

        connect()
        methods.install()
