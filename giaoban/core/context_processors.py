"""Template context shared by every page."""


def csp_nonce(request):
    # django-htmx's {% htmx_script %} looks for `csp_nonce`; django-csp names it CSP_NONCE.
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
