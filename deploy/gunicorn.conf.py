"""gunicorn settings for giaoban (deploy/systemd/giaoban-web.service): `gunicorn -c deploy/gunicorn.conf.py giaoban.wsgi`.

Each value can be overridden from the environment (GUNICORN_*), e.g. by the systemd unit's EnvironmentFile.
"""

import multiprocessing
import os

wsgi_app = "giaoban.wsgi:application"
# nginx (deploy/nginx/giaoban.conf) proxies to this address; a load balancer in front of several app
# servers would point at each server's GUNICORN_BIND instead.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
# Sync workers, the usual (2 x cores) + 1: requests are short and spend their time in Python and PostgreSQL.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A consolidated .docx/.pdf export can take several seconds at national scale; nothing legitimate takes a minute.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so that a slow leak in a library never grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Access log to stdout (journald under systemd): client, request, status, size, referer, agent, time in ms.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
access_log_format = '%({x-forwarded-for}i)s %(h)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Only the local nginx may set X-Forwarded-* headers that gunicorn itself honours.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "giaoban"
