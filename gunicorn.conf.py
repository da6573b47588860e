"""gunicorn settings for production (máy chủ web): ``gunicorn -c gunicorn.conf.py wsgi:app`` (see README, "Vận hành").

Environment: ``HOST`` (default 127.0.0.1: the reverse proxy is the only one to reach it), ``PORT`` (8000),
``WEB_WORKERS`` (2 processes), ``WEB_THREADS`` (4 threads each), ``WEB_TIMEOUT`` (120 s: the longest request is an
import preview; PDF lists and large imports run as jobs).
"""
import gc
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_WORKERS", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("WEB_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
max_requests = 2000  # recycle workers now and then (memory of large imports)
max_requests_jitter = 200
# The app is loaded once, in the master, and each worker is a fork of it: a recycled worker serves at once instead of
# importing and building the app again (about 3 s of CPU, taken from the serving worker under load: at a few hundred
# requests a second a worker is recycled every few seconds). New code therefore needs a restart, not a HUP.
preload_app = True
# gunicorn's control socket (one fixed path per user: two servers on a host would take each other's) is not used;
# operators stop and restart through the supervisor or signals.
control_socket_disable = True
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = "-"
errorlog = "-"
# No query string and no referrer in the access log: searches and filters may carry an ID number (CCCD).
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
# X-Forwarded-* from the local reverse proxy only; the app trusts them when TRUSTED_PROXIES is set.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def when_ready(server):
    """Once the master has loaded the app: move every object made so far (modules, the app, SQLAlchemy's mappers)
    out of the garbage collector's sight, in the master and so in every fork. A full collection would otherwise walk
    those ~230 000 objects each time, a pause of a few hundred milliseconds with every thread of a worker stopped (and
    it would write to every page the forks share)."""
    gc.collect()
    gc.freeze()


def post_fork(server, worker):
    """A new worker never uses a database connection of the master's pool (the master opens none; kept safe)."""
    from portal.extensions import db
    app = server.app.wsgi()  # the Flask app the master loaded
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
