"""/accounts/: sign-in, the account page, two-factor sign-in (namespace two_factor, the names
django-two-factor-auth's views reverse), API tokens, password reset. Django's own password pages
(django.contrib.auth.urls: password_change, password_reset_confirm, …) are included after these in giaoban/urls.py.
"""

from django.urls import include, path

from . import views

two_factor_patterns = (
    [
        path("login/", views.LoginView.as_view(), name="login"),
        path("", views.AccountView.as_view(), name="profile"),
        path("two-factor/setup/", views.SetupView.as_view(), name="setup"),
        path("two-factor/qrcode/", views.QRGeneratorView.as_view(), name="qr"),
        path("two-factor/setup/complete/", views.SetupCompleteView.as_view(), name="setup_complete"),
        path("two-factor/recovery-codes/", views.RecoveryCodesView.as_view(), name="backup_tokens"),
        path("two-factor/disable/", views.DisableView.as_view(), name="disable"),
    ],
    "two_factor",
)

account_patterns = (
    [
        path("tokens/", views.tokens, name="tokens"),
        path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    ],
    "accounts",
)

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("", include(two_factor_patterns)),
    path("", include(account_patterns)),
]
