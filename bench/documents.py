"""Bench: the short official documents that render inside the web request — service contract (draft and
issue: number + render + PAdES signature + hash), monthly report (commune and province), authorization letter.
Goal: each under 1 s, so none needs a background job (long payout lists do: ``bench/pdf_lists.py``).
Runs on a scratch SQLite database seeded with the demo set-up and a development CA. Figures, not a test: exit 0.

Usage: ``.venv/bin/python bench/documents.py [--repeat 3]``
"""
import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from portal import create_app  # noqa: E402
from portal.config import Config  # noqa: E402
from portal.extensions import db  # noqa: E402

GOAL_S = 1.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-docs-")
    cfg = type("BenchConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
                                          "SIGNING_CERT_DIR": f"{tmp}/certs", "WTF_CSRF_ENABLED": False})
    app = create_app(cfg)
    with app.app_context():
        db.create_all()
        from portal.documents.devca import create_dev_ca
        from portal.models import Authorization, Beneficiary
        from portal.services.demo import seed_demo, user_by_username
        from portal.services.documents import contracts
        from portal.services.documents.printing import print_contract, print_letter, print_report
        from portal.services.reporting import monthly_report
        seed_demo()
        users = {u: user_by_username(u) for u in ("pld.chaudoc", "xa.vinhmy", "so.angiang")}
        create_dev_ca(Path(tmp) / "certs", [(u.organization_id, u.organization.name) for u in users.values()],
                      b"asxh-dev")
        officer = users["pld.chaudoc"]
        data = contracts.defaults(officer, date(2024, 8, 5))
        data.party_b_signer = "Huỳnh Văn Bưu"
        month = date(2024, 8, 1)
        b = Beneficiary(commune_code="30322", full_name="Lê Văn Ủy", name_fold="le van uy", name_sort="uy le van",
                        birth_year=1938, gender="male", national_id="089038000001", category_code="K5a",
                        start_month=month)
        db.session.add(b)
        db.session.flush()
        auth = Authorization(beneficiary_id=b.id, proxy_name="Lê Thị Nhận", proxy_national_id="089190000123",
                             proxy_relationship="Con gái", valid_from=month, certification_number="1",
                             certified_on=month)
        db.session.add(auth)
        db.session.flush()
        commune_org = users["xa.vinhmy"].organization
        cases = {
            "hợp đồng (dự thảo)": lambda: print_contract(contracts.create_draft(officer, data)),
            "hợp đồng (ban hành + ký số)": lambda: contracts.issue_contract(
                officer, contracts.create_draft(officer, data), date(2024, 8, 5)),
            "báo cáo tháng (xã)": lambda: print_report(monthly_report.build_report(users["xa.vinhmy"], month)),
            "báo cáo tháng (tỉnh)": lambda: print_report(monthly_report.build_report(users["so.angiang"], month)),
            "giấy ủy quyền": lambda: print_letter(auth, commune_org),
        }
        cases["hợp đồng (dự thảo)"]()  # warm-up: fonts, templates
        for name, fn in cases.items():
            times, cpu = [], []
            for _ in range(args.repeat):
                t, c = time.perf_counter(), time.process_time()
                fn()
                times.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
            best = min(times)
            print(f"{name:32s} best {best:.2f} s (CPU {min(cpu):.2f} s), worst {max(times):.2f} s "
                  f"({'OK' if best < GOAL_S else 'OVER'} goal < {GOAL_S:.0f} s; on a busy machine compare CPU)")
        db.session.rollback()


if __name__ == "__main__":
    main()
