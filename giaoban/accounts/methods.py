"""The one two-factor method giaoban offers: an authenticator app (TOTP), with giaoban's forms and wording.
Registered in place of django-two-factor-auth's own in AccountsConfig.ready()."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from two_factor.plugins.registry import GeneratorMethod, registry


class AuthenticatorAppMethod(GeneratorMethod):
    def recognize_device(self, device) -> bool:
        return isinstance(device, TOTPDevice)

    def get_setup_forms(self, *args):
        from .forms import TotpSetupForm

        return {"generator": TotpSetupForm}

    def get_token_form_class(self):
        from .forms import TokenForm

        return TokenForm

    def get_action(self, device):
        return _("Nhập mã trên ứng dụng xác thực")

    def get_verbose_action(self, device):
        return _("Mở ứng dụng xác thực trên điện thoại và nhập mã 6 số đang hiện cho giaoban.")


def install() -> None:
    registry.unregister(AuthenticatorAppMethod.code)
    registry.register(AuthenticatorAppMethod())
