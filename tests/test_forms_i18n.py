"""WTForms messages are Vietnamese in every form (portal/forms_i18n.py)."""
import re

from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

ENGLISH = re.compile(r"Not a valid|Number must|This field|Field must|Field cannot|Invalid ")


def _contract(**over):
    data = {"valid_from": "2027-01-01", "valid_to": "2027-12-31", "fee_per_person": "5000",
            "estimated_people": "100", "estimated_months": "12", "party_a_signer": "Nguyễn Văn A",
            "party_a_title": "Trưởng phòng", "party_b_signer": "Trần Thị B", "party_b_title": "Giám đốc"}
    data.update(over)
    return data


def test_contract_form_says_it_in_vietnamese(client):
    client.login("pld.chaudoc")
    resp = client.post("/huyen/hop-dong/lap", _contract(fee_per_person="2000000", estimated_people="nhiều",
                                                        valid_to="2024-13-01"))
    assert resp.status_code == 422
    body = resp.get_data(as_text=True)
    assert "Số phải trong khoảng 0 đến 1000000." in body
    assert "Không phải số nguyên hợp lệ" in body
    assert "Ngày không hợp lệ" in body
    assert not ENGLISH.search(body), ENGLISH.search(body).group(0)
    assert 'value="Nguyễn Văn A"' in body  # what was typed is kept


def test_an_empty_required_date_still_says_bat_buoc(client):
    client.login("pld.chaudoc")
    body = client.post("/huyen/hop-dong/lap", _contract(valid_from="")).get_data(as_text=True)
    assert "Bắt buộc." in body and "Ngày không hợp lệ" not in body


def test_bank_session_form_length_message_is_vietnamese(client):
    client.login("agribank.chaudoc")
    resp = client.post("/ngan-hang/diem-chi-tra", {"commune": "30322", "session_date": "2026-12-01",
                                                   "place_kind": "", "place_name": "x" * 201,
                                                   "staff_present": "Lê Văn C"})
    assert resp.status_code == 422
    body = resp.get_data(as_text=True)
    assert "Không được dài quá 200 ký tự." in body
    assert not ENGLISH.search(body)


class _AllKinds(FlaskForm):
    class Meta:
        csrf = False

    n = IntegerField(validators=[InputRequired()])
    d = DecimalField(validators=[Optional()])
    day = DateField(validators=[DataRequired()])
    name = StringField(validators=[Length(min=3)])
    mail = StringField(validators=[Length(max=2)])
    r = IntegerField(validators=[NumberRange(min=1)])


def test_every_wtforms_message_kind_is_translated(app):
    with app.test_request_context("/", method="POST",
                                  data={"n": "abc", "d": "1,2x", "day": "2024-02-30", "name": "ab", "mail": "abc",
                                        "r": "0"}):
        form = _AllKinds()
        assert not form.validate()
        assert form.errors == {
            "n": ["Không phải số nguyên hợp lệ (chỉ gồm chữ số, ví dụ 5000)."],
            "d": ["Không phải số hợp lệ (ví dụ 1,5)."],
            "day": ["Ngày không hợp lệ (cần dạng ngày/tháng/năm có thật)."],
            "name": ["Cần ít nhất 3 ký tự."],
            "mail": ["Không được dài quá 2 ký tự."],
            "r": ["Số phải từ 1 trở lên."],
        }
    with app.test_request_context("/", method="POST", data={}):
        form = _AllKinds()
        assert not form.validate()
        assert form.errors["n"] == ["Bắt buộc."] and form.errors["day"] == ["Bắt buộc."]
