"""Bench: the slow-link budget (đường truyền chậm, DevTools "Slow 3G": 400 kbit/s, 2 s round trip) of the main pages.

On a scratch SQLite database seeded with the demo set-up and the Vĩnh Mỹ register (samples/), for each role's main
page it measures, through the Flask test client with ``Accept-Encoding: gzip``: the first visit (HTML + the CSS and
JavaScript it links, as transferred), and the round trips of a later full page — 1 when every linked file has a
versioned name served ``immutable`` (the browser asks for nothing but the HTML), 2 when one must be revalidated. Then
the size of the htmx answers of the register search and paging. Figures, not a test: exit status 0.
Goals: first visit ≤ 60 KB; every later full page one round trip; every htmx action ≤ 5 KB.

Usage: ``.venv/bin/python bench/slow_link.py``
"""
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from portal import create_app  # noqa: E402
from portal.config import Config  # noqa: E402
from portal.extensions import db  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
VINH_MY = os.path.join(ROOT, "samples", "2024-07_phuong-vinh-my_ds-doi-tuong.xlsx")
LINKED = re.compile(r'(?:src|href)="(/[^"]+\.(?:js|css))"')
PAGES = [("xa.vinhmy", "/xa/"), ("xa.vinhmy", "/xa/nhap"), ("agribank.chaudoc", "/ngan-hang/"),
         ("agribank.chaudoc", "/ngan-hang/tai-khoan"), ("pld.chaudoc", "/huyen/"), ("buudien.chaudoc", "/buu-dien/"),
         ("so.angiang", "/tinh/")]
HTMX = [("xa.vinhmy", "/xa/?q=nguyen"), ("xa.vinhmy", "/xa/?page=2"), ("agribank.chaudoc", "/ngan-hang/?q=nguyen")]
GZIP = {"Accept-Encoding": "gzip, deflate"}


def login(client, username):
    client.post("/logout")
    client.post("/login", data={"username": username, "password": "demo1234"})


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = type("BenchConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
                                                 "WTF_CSRF_ENABLED": False})
        app = create_app(config)
        with app.app_context():
            from portal.services.demo import seed_demo, user_by_username
            from portal.services.imports import beneficiaries as imports

            db.create_all()
            seed_demo()
            with open(VINH_MY, "rb") as fh:
                clerk = user_by_username("xa.vinhmy")
                p = imports.preview(clerk, "30322", "ds.xlsx", fh.read())
            imports.commit(clerk, p.batch_id)
            db.session.commit()
        client = app.test_client()
        worst_first, trips, worst_htmx = 0, set(), 0
        for username, url in PAGES:
            login(client, username)
            resp = client.get(url, headers=GZIP)
            html = resp.get_data()
            text = client.get(url).get_data(as_text=True)
            assets = LINKED.findall(text)
            sizes = [len(client.get(a, headers=GZIP).get_data()) for a in assets]
            cached = [client.get(a).headers.get("Cache-Control", "") for a in assets]
            later = 1 + (0 if all("immutable" in c for c in cached) else 1)
            first = len(html) + sum(sizes)
            worst_first = max(worst_first, first)
            trips.add(later)
            print(f"{url:28s} status {resp.status_code}  first visit {first / 1024:5.1f} KB "
                  f"(page {len(html) / 1024:.1f} KB + {len(assets)} files)  later full page: {later} round trip(s)")
        for username, url in HTMX:
            login(client, username)
            size = len(client.get(url, headers={"HX-Request": "true"}).get_data())
            worst_htmx = max(worst_htmx, size)
            print(f"htmx {url:30s} {size / 1024:5.1f} KB")
        print(f"first visit ≤ 60 KB: {'met' if worst_first <= 60 * 1024 else 'NOT met'} "
              f"(largest {worst_first / 1024:.1f} KB)")
        print(f"every later full page one round trip: {'met' if trips == {1} else 'NOT met'}")
        print(f"every htmx action ≤ 5 KB: {'met' if worst_htmx <= 5 * 1024 else 'NOT met'} "
              f"(largest {worst_htmx / 1024:.1f} KB)")


if __name__ == "__main__":
    main()
