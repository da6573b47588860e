"""Small factories for tests: beneficiaries and accounts created directly (no spreadsheet), with the same derived
keys the register uses (folded name, Vietnamese sort key). Extend additively."""
from datetime import UTC, date, datetime
from itertools import count

from portal.extensions import db
from portal.models import Beneficiary, PaymentAccount
from portal.services.registry.identity import fold, name_sort_key

_ids = count(1)


def make_beneficiary(full_name: str, *, commune_code: str = "30322", birth_date: date | None = None,
                     birth_year: int | None = None, gender: str = "male", category_code: str = "K5c",
                     disability_level: str | None = None, children_count: int = 1,
                     payment_channel: str = "cash_at_point", start_month: date = date(2024, 1, 1),
                     status: str = "active", national_id: str | None = None, hamlet: str = "Khóm Mỹ Thới 1",
                     cash_at_home_reason: str | None = None) -> Beneficiary:
    """Add (and flush) one beneficiary; ``national_id`` defaults to a fresh 089… number."""
    b = Beneficiary(
        commune_code=commune_code, full_name=full_name, name_fold=fold(full_name), name_sort=name_sort_key(full_name),
        birth_date=birth_date, birth_year=birth_year or birth_date.year, gender=gender,
        national_id=national_id or f"0890{next(_ids):08d}", hamlet=hamlet, category_code=category_code,
        disability_level=disability_level, children_count=children_count, start_month=start_month, status=status,
        payment_channel=payment_channel,
        cash_at_home_reason=cash_at_home_reason or ("bedridden" if payment_channel == "cash_at_home" else None))
    db.session.add(b)
    db.session.flush()
    return b


def make_account(beneficiary: Beneficiary, number: str, provider_code: str = "VBA",
                 opened_on: date = date(2024, 7, 20)) -> PaymentAccount:
    """Add (and flush) an active account held by the beneficiary."""
    acc = PaymentAccount(beneficiary=beneficiary, provider_code=provider_code, account_number=number,
                         holder_kind="self", holder_name=beneficiary.full_name, opened_on=opened_on)
    db.session.add(acc)
    db.session.flush()
    return acc


AUG = date(2024, 8, 1)


def chau_doc_people() -> dict[str, Beneficiary]:
    """A small Châu Đốc register for 08/2024 at 500.000 đ (expected amounts in comments):

    Phường Vĩnh Mỹ (30322): vu K6 especially severe adult, Agribank account → account 1.000.000; yen K5c 80+,
    VietinBank account → account 500.000; khai K1 born 11/06/2018, chose an account not opened yet → cash at point
    750.000; phuc K5c → cash at point 500.000; thoa K6 severe elderly → cash at home 1.000.000; lan K1 aged 17 →
    no rate (excluded); dung stopped and moi starting 09/2024 → not listed.
    Phường Núi Sam (30325): sam K8 → cash at point 750.000. Xã Tân Lợi (30535, Tịnh Biên): loi → other district."""
    p = {}
    p["vu"] = make_beneficiary("Bùi Ngọc Vũ", birth_date=date(1977, 9, 6), category_code="K6",
                               disability_level="especially_severe", payment_channel="bank_account")
    make_account(p["vu"], "1164963643329", "VBA")
    p["yen"] = make_beneficiary("Võ Ngọc Yến", birth_date=date(1933, 10, 8), gender="female",
                                payment_channel="bank_account")
    make_account(p["yen"], "4668495185680", "ICB")
    p["khai"] = make_beneficiary("Huỳnh Minh Khải", birth_date=date(2018, 6, 11), category_code="K1",
                                 payment_channel="bank_account")
    p["phuc"] = make_beneficiary("Trương Văn Phúc", birth_date=date(1930, 5, 1))
    p["thoa"] = make_beneficiary("Nguyễn Thị Thoa", birth_date=date(1950, 3, 27), gender="female",
                                 category_code="K6", disability_level="severe", payment_channel="cash_at_home")
    p["lan"] = make_beneficiary("Đặng Thị Lan", birth_date=date(2007, 1, 15), gender="female", category_code="K1")
    p["dung"] = make_beneficiary("Lê Văn Dừng", birth_year=1940, status="stopped")
    p["moi"] = make_beneficiary("Phan Văn Mới", birth_year=1941, start_month=date(2024, 9, 1))
    p["sam"] = make_beneficiary("Trần Thị Sam", commune_code="30325", birth_date=date(1980, 2, 2), gender="female",
                                category_code="K8", hamlet="Khóm Vĩnh Đông")
    p["loi"] = make_beneficiary("Chau Sóc Lợi", commune_code="30535", birth_year=1935, hamlet="Ấp Tân Long")
    return p


def run_to_approved(month: date = AUG, approved_at: datetime | None = None):
    """Build Châu Đốc's lists as pld.chaudoc, confirm Vĩnh Mỹ's as xa.vinhmy and approve them as
    pld.chaudoc.duyet; commits. The approval is dated ``approved_at`` (default: the 1st of ``month``, 08:00 Vietnam
    time), so results can be recorded with dates in the month. Returns Vĩnh Mỹ's approved lists by channel value
    (social assistance), the social pension's (from 07/2025) as ``"social_pension:<channel>"``."""
    from portal.services.demo import user_by_username
    from portal.services.payouts.build import build_lists
    from portal.services.payouts.workflow import approve_list, confirm_list
    result = build_lists(user_by_username("pld.chaudoc"), month)
    lists = {(lst.channel if lst.programme != "social_pension" else f"social_pension:{lst.channel}"): lst
             for lst in result.lists if lst.commune_code == "30322"}
    for lst in lists.values():
        confirm_list(user_by_username("xa.vinhmy"), lst)
        approve_list(user_by_username("pld.chaudoc.duyet"), lst)
        lst.approved_at = approved_at or datetime(month.year, month.month, 1, 1, 0, tzinfo=UTC)
    db.session.commit()
    return lists


def person_form(**over) -> dict:
    """Form data of a valid K6 beneficiary of Vĩnh Mỹ as the intake form posts it; ``over`` replaces fields."""
    data = {"full_name": "Nguyễn Văn Bình", "birth": "05/03/1950", "gender": "male", "national_id": "089050123456",
            "phone": "0912 345 678", "hamlet": "Khóm Mỹ Thới 1", "category_code": "K6",
            "disability_level": "severe", "start_month": "07/2024", "payment_channel": "cash_at_point"}
    return data | over


def accept_lists(lists: dict) -> dict:
    """The post office (buudien.chaudoc) accepts each of ``lists`` (nhận danh sách: results may be recorded only
    after that); commits. Returns ``lists``."""
    from portal.services.demo import user_by_username
    from portal.services.payouts.workflow import accept_list
    for lst in lists.values():
        accept_list(user_by_username("buudien.chaudoc"), lst)
    db.session.commit()
    return lists


def run_to_accepted(month: date = AUG, approved_at: datetime | None = None):
    """``run_to_approved`` then ``accept_lists``: Vĩnh Mỹ's lists by channel, accepted by the post office."""
    return accept_lists(run_to_approved(month, approved_at))
