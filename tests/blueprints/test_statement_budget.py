"""Statements per request of the two pages the load bench drives (``bench/load.py``): the commune register's search
fragment and the district's payout-list page, on the real Vĩnh Mỹ register (340 people) with its accepted 08/2024
lists. The login session, its user, organisation and unit come in one statement; no statement per row shown."""
import re

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from portal.services.demo import user_by_username
from portal.services.imports import beneficiaries as imports
from tests.conftest import VINH_MY_FILE
from tests.factories import run_to_accepted


@pytest.fixture
def vinh_my(app):
    with open(VINH_MY_FILE, "rb") as fh:
        preview = imports.preview(user_by_username("xa.vinhmy"), "30322", "ds.xlsx", fh.read())
    imports.commit(user_by_username("xa.vinhmy"), preview.batch_id)
    return run_to_accepted()


def _statements(client, url, **kw) -> list[str]:
    """The statements the server runs for GET ``url`` (a last-seen refresh of the session left out: at most once a
    minute)."""
    seen = []

    def _seen(conn, cursor, statement, params, context, executemany):
        seen.append(" ".join(statement.split()))

    client.get(url, **kw)  # warm: the first request of a client may load what later ones find cached
    event.listen(Engine, "before_cursor_execute", _seen)
    try:
        resp = client.get(url, **kw)
    finally:
        event.remove(Engine, "before_cursor_execute", _seen)
    assert resp.status_code == 200, url
    return [s for s in seen if not s.startswith("UPDATE user_session SET last_seen_at")]


def test_commune_search_fragment_runs_four_statements(app, client, vinh_my):
    client.login("xa.vinhmy")
    seen = _statements(client, "/xa/?q=nguyen", htmx=True)
    tables = [s.split(" FROM ")[1].split()[0] for s in seen]
    assert tables == ["user_session", "(SELECT", "beneficiary", "payment_account"]  # session, count, page, accounts


def test_payout_list_page_runs_eight_or_nine_statements_whatever_its_lines(app, client, vinh_my):
    client.login("pld.chaudoc")
    page = client.get("/huyen/?thang=2024-08").get_data(as_text=True)
    list_ids = sorted({int(i) for i in re.findall(r'href="/huyen/chi-tra/(\d+)"', page)})
    counts = {}
    for list_id in list_ids:
        seen = _statements(client, f"/huyen/chi-tra/{list_id}")
        counts[list_id] = (len(seen), any(" FROM payment_provider" in s for s in seen))
    # 8 for a list paid in cash; one more for the list paid to accounts, which names the banks
    assert sorted(counts.values()) == [(8, False), (8, False), (9, True)], counts
