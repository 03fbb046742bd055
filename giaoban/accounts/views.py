"""Sign-in with a second factor, the account page, its two-factor pages and API tokens, and password reset.

The two-factor pages are django-two-factor-auth's views with giaoban's templates and forms; the wizard's first
step keeps the plain `username` and `password` fields (password managers and scripts know them).
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from two_factor import views as tf_views
from two_factor.utils import get_otpauth_url

from giaoban.core.errors import ServiceError

from . import selectors, services
from .forms import ApiTokenForm, RecoveryCodeForm, SignInForm, TokenForm

ISSUER = "giaoban"  # the name an authenticator app shows beside the codes


def safe_next(request, url: str | None) -> str:
    """`url` if it is a path on this site, else ''."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


class LoginView(tf_views.LoginView):
    template_name = "accounts/login.html"
    form_list = (
        (tf_views.LoginView.AUTH_STEP, SignInForm),
        (tf_views.LoginView.TOKEN_STEP, TokenForm),
        (tf_views.LoginView.BACKUP_STEP, RecoveryCodeForm),
    )
    redirect_authenticated_user = True

    def get_form_prefix(self, step=None, form=None):
        if (step or self.steps.current) == self.AUTH_STEP:
            return None
        return super().get_form_prefix(step, form)

    def post(self, *args, **kwargs):
        # A POST of username and password alone (the sign-in form before two-factor, scripts) is the first step.
        field = f"{self.prefix}-current_step"
        if field not in self.request.POST and "username" in self.request.POST:
            data = self.request.POST.copy()
            data[field] = self.AUTH_STEP
            self.request.POST = data
        return super().post(*args, **kwargs)

    def get_context_data(self, form, **kwargs):
        return {**super().get_context_data(form, **kwargs), "next": self.get_redirect_url()}


class SetupView(tf_views.SetupView):
    template_name = "accounts/two_factor_setup.html"

    def get_success_url(self):
        url = reverse("two_factor:setup_complete")
        after = self.get_redirect_url()
        return f"{url}?{urlencode({'next': after})}" if after else url

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form, **kwargs)
        if self.steps.current == "generator":
            context["issuer"] = ISSUER
            context["otpauth_url"] = get_otpauth_url(self.request.user.get_username(), context["secret_key"], ISSUER)
            # Groups of four are easier to type into an app by hand.
            key = context["secret_key"]
            context["secret_key_groups"] = " ".join(key[i : i + 4] for i in range(0, len(key), 4))
        context["required"] = selectors.two_factor_required(self.request.user)
        context["next"] = self.get_redirect_url()
        return context


class QRGeneratorView(tf_views.QRGeneratorView):
    def get_issuer(self):
        return ISSUER


class SetupCompleteView(tf_views.SetupCompleteView):
    template_name = "accounts/two_factor_setup_complete.html"

    def get(self, request, *args, **kwargs):
        return super(tf_views.SetupCompleteView, self).get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "next": safe_next(self.request, self.request.GET.get("next"))}


class RecoveryCodesView(tf_views.BackupTokensView):
    template_name = "accounts/recovery_codes.html"

    def form_valid(self, form):
        super().form_valid(form)
        messages.success(self.request, _("Đã tạo 10 mã khôi phục mới; các mã cũ không dùng được nữa."))
        return redirect("two_factor:backup_tokens")


class AccountView(tf_views.ProfileView):
    """The account page: who you are, two-factor sign-in, password, API tokens."""

    template_name = "accounts/account.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        context = super().get_context_data(**kwargs)
        context.update(
            required=selectors.two_factor_required(user),
            live_tokens=selectors.api_tokens_for(user).live().count(),
        )
        return context


class DisableView(tf_views.DisableView):
    template_name = "accounts/two_factor_disable.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "required": selectors.two_factor_required(self.request.user)}

    def form_valid(self, form):
        if selectors.two_factor_required(self.request.user):
            return self.render_to_response(self.get_context_data(form=form))
        response = super().form_valid(form)
        messages.success(self.request, _("Đã tắt xác thực hai bước."))
        return response


@login_required
def tokens(request):
    """The user's API tokens; a new one is made here and its key shown on this one answer only."""
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = services.api_token_create(name=form.cleaned_data["name"], actor=request.user)
        except ServiceError as exc:
            form.add_error("name", exc.message)
        else:
            form = ApiTokenForm()
    response = render(
        request,
        "accounts/tokens.html",
        {
            "tokens": selectors.api_tokens_for(request.user),
            "form": form,
            "new_key": new_key,
            "ttl_days": settings.API_TOKEN_TTL_DAYS,
        },
    )
    response["Cache-Control"] = "no-store"  # the page may hold a key
    return response


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(selectors.api_tokens_for(request.user), pk=pk)
    services.api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("Đã thu hồi mã truy cập “%(name)s”.") % {"name": token.name})
    return redirect("accounts:tokens")


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, with the link in the e-mail on settings.SITE_URL (never on the Host header a visitor sent),
    and the e-mail queued for the task worker: the page answers at once (and as fast for an unknown address)."""

    def form_valid(self, form):
        site = urlsplit(settings.SITE_URL)
        users = form.get_users(form.cleaned_data["email"])  # active, with a usable password and that address
        services.password_reset_email_queue(
            user_ids=[u.pk for u in users], domain=site.netloc, use_https=site.scheme == "https"
        )
        return redirect(self.get_success_url())
