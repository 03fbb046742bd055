"""The production files in deploy/: `check --deploy` is clean with the documented environment, gunicorn takes its
config, the systemd units run the right commands, and secure cookies follow HTTPS, not DATABASE_URL."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def documented_env(tmp_path: Path) -> dict[str, str]:
    """deploy/giaoban.env as systemd reads it, with its <placeholders> filled and paths under tmp_path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_", "HTTPS", "CACHE_URL"))}
    for line in (DEPLOY / "giaoban.env").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _sep, value = line.partition("=")
            env[key.strip()] = value.strip()
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    env["DATABASE_URL"] = env["DATABASE_URL"].replace("<password>", "x")
    for key in ("GIAOBAN_VAR_DIR", "MEDIA_ROOT", "STATIC_ROOT"):
        env[key] = str(tmp_path / Path(env[key]).name)
    assert not any("<" in v for k, v in env.items() if k in {"DATABASE_URL", "ALLOWED_HOSTS", "SECRET_KEY"})
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)  # noqa: S603


def test_it_passes_check_deploy_with_the_documented_production_environment(tmp_path):
    env = documented_env(tmp_path)
    out = run([sys.executable, "-m", "giaoban", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "System check identified no issues" in out.stdout, out.stdout + out.stderr


def test_it_warns_in_check_deploy_without_https(tmp_path):
    # The check above can fail: the same environment without HTTPS and HSTS is not production-ready.
    env = documented_env(tmp_path)
    for key in ("HTTPS", "SECURE_HSTS_SECONDS"):
        env.pop(key)
    out = run([sys.executable, "-m", "giaoban", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert out.returncode != 0
    for code in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert code in out.stderr + out.stdout


def test_it_trusts_the_proxy_ssl_header_only_when_configured(tmp_path):
    code = "from django.conf import settings as s; print(getattr(s, 'SECURE_PROXY_SSL_HEADER', None), s.SECURE_SSL_REDIRECT)"
    env = documented_env(tmp_path) | {"DJANGO_SETTINGS_MODULE": "giaoban.settings"}
    prod = run([sys.executable, "-c", "import django; django.setup(); " + code], env)
    assert prod.stdout.split() == ["('HTTP_X_FORWARDED_PROTO',", "'https')", "True"], prod.stderr
    env.pop("SECURE_PROXY_SSL_HEADER")
    env.pop("HTTPS")
    local = run([sys.executable, "-c", "import django; django.setup(); " + code], env)
    assert local.stdout.split() == ["None", "False"], local.stderr


def test_it_keeps_cookies_not_secure_with_a_database_url_unless_https_is_set(tmp_path):
    code = "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    env = {k: v for k, v in os.environ.items() if k not in {"HTTPS", "SECURE_COOKIES"}}
    env |= {"DJANGO_SETTINGS_MODULE": "giaoban.settings", "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/x"}
    env["GIAOBAN_VAR_DIR"] = str(tmp_path)
    local = run([sys.executable, "-c", "import django; django.setup(); " + code], env)
    assert local.stdout.split() == ["False", "False"], local.stderr
    prod = run([sys.executable, "-c", "import django; django.setup(); " + code], env | {"HTTPS": "true"})
    assert prod.stdout.split() == ["True", "True"], prod.stderr


@pytest.mark.django_db
def test_it_signs_in_over_http_with_a_database_url_set_by_default(client, make_user):
    # `make run` against a local PostgreSQL: the page is served over http and the login must work,
    # CSRF check included (the test client skips it unless asked).
    from django.test import Client

    assert os.environ.get("DATABASE_URL")  # the suite always runs with one (SQLite or PostgreSQL)
    user = make_user(password="pw-secret-1")
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(reverse("login"))
    assert page.status_code == 200
    cookie = page.cookies["csrftoken"]
    assert not cookie["secure"], "the CSRF cookie is Secure: a browser on http would never send it back"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    done = browser.post(reverse("login"), {"username": user.username, "password": "pw-secret-1", "csrfmiddlewaretoken": token})
    assert done.status_code == 302, done.status_code
    assert not done.cookies["sessionid"]["secure"]
    assert browser.get(reverse("home")).wsgi_request.user == user


def test_it_configures_gunicorn_from_the_deploy_file():
    env = dict(os.environ) | {"GUNICORN_WORKERS": "3"}
    out = run([str(Path(sys.executable).parent / "gunicorn"), "-c", str(DEPLOY / "gunicorn.conf.py"), "--print-config"], env)
    assert out.returncode == 0, out.stderr
    conf = dict(re.findall(r"^(\w+)\s+= (.*)$", out.stdout, re.M))
    assert conf["workers"] == "3"
    assert conf["timeout"] == "60"
    assert conf["accesslog"] == "-"
    assert conf["bind"] == "['127.0.0.1:8000']"
    assert conf["wsgi_app"] == "giaoban.wsgi:application"
    default = run([str(Path(sys.executable).parent / "gunicorn"), "-c", str(DEPLOY / "gunicorn.conf.py"), "--print-config"], dict(os.environ))
    assert dict(re.findall(r"^(\w+)\s+= (.*)$", default.stdout, re.M))["workers"] == str(os.cpu_count() * 2 + 1)


def test_it_ships_systemd_units_for_the_web_server_the_worker_and_the_timers():
    units = DEPLOY / "systemd"
    assert "gunicorn -c /opt/giaoban/src/deploy/gunicorn.conf.py" in (units / "giaoban-web.service").read_text()
    assert "giaoban db_worker" in (units / "giaoban-worker.service").read_text()
    assert "giaoban work remind" in (units / "giaoban-remind.service").read_text()
    assert "giaoban backup -o" in (units / "giaoban-backup.service").read_text()
    for timer in ("giaoban-remind.timer", "giaoban-backup.timer"):
        text = (units / timer).read_text()
        assert re.search(r"^OnCalendar=", text, re.M) and "Persistent=true" in text
    for unit in units.glob("*.service"):
        assert "EnvironmentFile=/etc/giaoban/giaoban.env" in unit.read_text(), unit.name
    nginx = (DEPLOY / "nginx" / "giaoban.conf").read_text()
    for line in ("proxy_set_header X-Forwarded-For", "proxy_set_header X-Forwarded-Proto $scheme", "ssl_certificate ", "location /static/"):
        assert line in nginx
