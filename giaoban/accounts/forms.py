"""Forms of the sign-in and account pages: django-two-factor-auth's, with giaoban's Vietnamese wording (neither
django-otp nor two-factor-auth speaks Vietnamese well enough to show an official)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_otp.forms import OTPAuthenticationFormMixin
from two_factor.forms import AuthenticationTokenForm, BackupTokenForm, TOTPDeviceForm

OTP_ERRORS = dict(
    OTPAuthenticationFormMixin.otp_error_messages,
    token_required=_("Hãy nhập mã xác thực."),
    invalid_token=_("Mã xác thực không đúng hoặc đã dùng. Xin nhập lại."),
    n_failed_attempts=_("Đã nhập sai %(failure_count)d lần: tạm ngừng kiểm tra mã, xin thử lại sau ít phút."),
    verification_not_allowed=_("Tạm ngừng kiểm tra mã, xin thử lại sau ít phút."),
    device_required=_("Tài khoản chưa có ứng dụng xác thực."),
)


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Tên đăng nhập hoặc mật khẩu không đúng. Xin nhập lại."),
        "inactive": _("Tài khoản này đã bị khóa."),
    }


class TokenForm(AuthenticationTokenForm):
    otp_error_messages = OTP_ERRORS

    # django-two-factor-auth's wizards pass arguments by the names in the form's signature: keep them explicit.
    def __init__(self, user, initial_device, **kwargs):
        super().__init__(user, initial_device, **kwargs)
        field = self.fields["otp_token"]
        field.label = _("Mã 6 số trên ứng dụng xác thực")
        field.error_messages = {
            "invalid": _("Mã gồm 6 chữ số."),
            "min_length": _("Mã gồm 6 chữ số."),
            "max_length": _("Mã gồm 6 chữ số."),
        }
        field.widget.attrs.update({"inputmode": "numeric", "class": "form-control form-control-lg text-center"})


class RecoveryCodeForm(BackupTokenForm):
    otp_error_messages = OTP_ERRORS

    def __init__(self, user, initial_device, **kwargs):
        super().__init__(user, initial_device, **kwargs)
        field = self.fields["otp_token"]
        field.label = _("Một mã khôi phục")
        field.widget.attrs.update({"autocomplete": "off", "autocapitalize": "none", "class": "form-control"})


class TotpSetupForm(TOTPDeviceForm):
    error_messages = {"invalid_token": _("Mã không đúng: xem lại giờ của điện thoại và nhập mã đang hiện.")}

    def __init__(self, key, user, metadata=None, **kwargs):
        super().__init__(key, user, metadata=metadata, **kwargs)
        field = self.fields["token"]
        field.label = _("Mã 6 số ứng dụng đang hiện")
        field.error_messages = {"invalid": _("Mã gồm 6 chữ số."), "required": _("Hãy nhập mã.")}
        field.widget.attrs.update({"inputmode": "numeric", "class": "form-control form-control-lg text-center"})


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Tên mã truy cập"),
        max_length=100,
        help_text=_("Để nhận ra mã, ví dụ tên chương trình hay máy dùng nó."),
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )


class ConfirmForm(forms.Form):
    """A step that asks nothing: a button."""
