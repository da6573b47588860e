"""Rates as data (mức chuẩn, hệ số): standard levels and coefficient rules with valid-from months and legal basis.
Never constants in code (Decree 20/2021 Art. 4 and 6; Decree 76/2024; Decree 335/2026)."""
from ..extensions import db


class StandardLevel(db.Model):
    """Mức chuẩn trợ giúp xã hội in integer đồng, valid from ``valid_from`` (first of month) until the next row."""

    __tablename__ = "standard_level"
    id = db.Column(db.Integer, primary_key=True)
    valid_from = db.Column(db.Date, nullable=False, unique=True)
    amount = db.Column(db.Integer, nullable=False)
    legal_basis = db.Column(db.String(200), nullable=False)


class CoefficientRule(db.Model):
    """Hệ số for a category (and K6 disability level) in an age band ``[age_from, age_to)`` in whole years
    (None = open), valid ``[valid_from, valid_to)``. ``per_child`` multiplies by the children raised (K4)."""

    __tablename__ = "coefficient_rule"
    id = db.Column(db.Integer, primary_key=True)
    category_code = db.Column(db.String(6), db.ForeignKey("category.code"), nullable=False, index=True)
    disability_level = db.Column(db.String(20))
    age_from = db.Column(db.Integer)
    age_to = db.Column(db.Integer)
    coefficient = db.Column(db.Numeric(4, 2), nullable=False)
    per_child = db.Column(db.Boolean, nullable=False, default=False)
    valid_from = db.Column(db.Date, nullable=False)
    valid_to = db.Column(db.Date)
    label = db.Column(db.String(120), nullable=False)
    legal_basis = db.Column(db.String(200), nullable=False)


class LocalTopUp(db.Model):
    """Khoản hỗ trợ thêm của tỉnh (HĐND tỉnh may set higher levels, Decree 20/2021 Art. 4.3): ``amount`` integer đồng
    per beneficiary and month, for one category (``category_code``) or every category (None), valid
    ``[valid_from, valid_to)`` (first-of-month dates, ``valid_to`` None = open)."""

    __tablename__ = "local_top_up"
    id = db.Column(db.Integer, primary_key=True)
    #: ``social_assistance`` (per category) or ``social_pension`` (every social pensioner; ``category_code`` None)
    programme = db.Column(db.String(20), nullable=False, default="social_assistance",
                          server_default="social_assistance")
    category_code = db.Column(db.String(6), db.ForeignKey("category.code"))
    amount = db.Column(db.Integer, nullable=False)
    valid_from = db.Column(db.Date, nullable=False)
    valid_to = db.Column(db.Date)
    legal_basis = db.Column(db.String(200), nullable=False)


class SocialPensionLevel(db.Model):
    """Mức trợ cấp hưu trí xã hội (Luật BHXH 2024 Art. 22; Decree 176/2025 Art. 5) in integer đồng per month, valid
    from ``valid_from`` (first of month) until the next row. A ``provisional`` row (tạm tính: announced, official
    text not yet recorded by the province) is shown but not paid; when the province confirms it with
    ``official_text`` the months already paid at the old level get the difference back (truy lĩnh chênh lệch)."""

    __tablename__ = "social_pension_level"
    id = db.Column(db.Integer, primary_key=True)
    valid_from = db.Column(db.Date, nullable=False, unique=True)
    amount = db.Column(db.Integer, nullable=False)
    legal_basis = db.Column(db.String(200), nullable=False)
    provisional = db.Column(db.Boolean, nullable=False, default=False, server_default=db.false())
    official_text = db.Column(db.String(200))  # decision number and date recorded on confirmation
    confirmed_at = db.Column(db.DateTime(timezone=True))
    confirmed_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))


class FeeRule(db.Model):
    """Chi phí chi trả paid to the payment provider, valid from ``valid_from`` until the next row: a flat
    ``per_beneficiary`` amount (đồng per beneficiary per month; An Giang plan §II.3b: 5.000 đ whatever the channel)
    plus ``basis_points`` of the amount paid (1 bp = 0,01 %; Circular 76/2021/TT-BTC Art. 3.7). Either may be 0."""

    __tablename__ = "fee_rule"
    id = db.Column(db.Integer, primary_key=True)
    valid_from = db.Column(db.Date, nullable=False, unique=True)
    per_beneficiary = db.Column(db.Integer, nullable=False, default=0)
    basis_points = db.Column(db.Integer, nullable=False, default=0)
    legal_basis = db.Column(db.String(200), nullable=False)


class SupportRule(db.Model):
    """Multiples of the standard level for supports other than the monthly allowance, valid ``[valid_from,
    valid_to)``: ``kind`` ``funeral`` (hỗ trợ mai táng, Decree 20/2021 Art. 11: 20 ×) or a care kind (hỗ trợ
    chăm sóc, nuôi dưỡng, Art. 20, e.g. ``household_especially_severe`` 1,0 ×)."""

    __tablename__ = "support_rule"
    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(40), nullable=False, index=True)
    coefficient = db.Column(db.Numeric(5, 2), nullable=False)
    valid_from = db.Column(db.Date, nullable=False)
    valid_to = db.Column(db.Date)
    label = db.Column(db.String(160), nullable=False)
    legal_basis = db.Column(db.String(200), nullable=False)


class CareArrangement(db.Model):
    """A household or carer receiving care support (hỗ trợ chăm sóc, Decree 20/2021 Art. 20) for one beneficiary:
    ``kind`` names a ``SupportRule``; paid monthly to ``payee_name`` on its own payout line (programme ``care``)
    for months in ``[valid_from, valid_to)`` while the beneficiary is paid. Several at once: only the highest."""

    __tablename__ = "care_arrangement"
    id = db.Column(db.Integer, primary_key=True)
    beneficiary_id = db.Column(db.Integer, db.ForeignKey("beneficiary.id"), nullable=False, index=True)
    kind = db.Column(db.String(40), nullable=False)
    payee_name = db.Column(db.String(120), nullable=False)
    payee_national_id = db.Column(db.String(12))
    payee_relationship = db.Column(db.String(60))
    valid_from = db.Column(db.Date, nullable=False)
    valid_to = db.Column(db.Date)
    decision_number = db.Column(db.String(60))


class AdditionalCategory(db.Model):
    """A further category a beneficiary qualifies under (Decree 20/2021 Art. 6.2): only the highest amount is paid,
    except a K4 single parent who is also K5, K6 or K8 gets both."""

    __tablename__ = "additional_category"
    id = db.Column(db.Integer, primary_key=True)
    beneficiary_id = db.Column(db.Integer, db.ForeignKey("beneficiary.id"), nullable=False, index=True)
    category_code = db.Column(db.String(6), db.ForeignKey("category.code"), nullable=False)
    disability_level = db.Column(db.String(20))
    children_count = db.Column(db.Integer)
    # months it counts for, half-open [valid_from, valid_to) (first-of-month dates); None = open. Rows made before
    # migration 0003 have no valid_from and count for every month, as they did.
    valid_from = db.Column(db.Date)
    valid_to = db.Column(db.Date)
    decision_number = db.Column(db.String(60))
