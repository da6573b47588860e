"""Why a payout line was not paid (lý do không chi trả được): the closed list of reasons the post office picks
from (``FAILURE_REASONS``), the mapping of free text from an uploaded sheet to one of them (``classify_reason``,
conservative: anything unclear is «Lý do khác» with the text kept as a note), and the text shown for a line
(``reason_text``: "label – note"). Pure: no query."""
import re

from ...models import PayoutLine
from ..accounts.flags import ACCOUNT_FAILURE_WORDS
from ..registry.identity import fold, nfc

#: why a line was not paid (lý do không chi được), a closed list: code → Vietnamese label. Stored in
#: ``PayoutLine.result_reason_code``; ``PayoutLine.result_reason`` keeps the post office's note (required for
#: "other"). Only "account" blames the account (``accounts.flags.transfer_failed`` invalidates it).
FAILURE_REASONS = {
    "account": "Tài khoản bị khóa, đã đóng, sai số hoặc sai tên chủ tài khoản",
    "absent": "Vắng mặt, không liên lạc được",
    "deceased": "Đối tượng đã chết",
    "refused": "Từ chối nhận",
    "moved": "Chuyển đi nơi khác",
    "other": "Lý do khác",
}
ACCOUNT_REASON = "account"
OTHER_REASON = "other"
_NOTE_SEP = re.compile(r"\s*[–—:-]\s*")
#: folded wordings of the spreadsheet's free-text reason → code, tried in this order ("account" reuses
#: ``accounts.flags.ACCOUNT_FAILURE_WORDS``; illness — "Ốm nằm viện" — is "other" before "absent" is tried);
#: anything else is "other" with the text as note.
_REASON_PATTERNS = (
    ("deceased", re.compile(r"\b(chet|qua doi|tu vong|tu tran|da mat(?! lien lac))\b")),
    (ACCOUNT_REASON, re.compile("|".join(re.escape(w) for w in ACCOUNT_FAILURE_WORDS))),
    ("moved", re.compile(r"\b(chuyen di|chuyen den|chuyen ve|chuyen khau|chuyen ho khau|noi khac|khong con (o|cu tru)"
                         r"|khong o dia phuong)\b")),
    # ill or in hospital is not "absent, cannot be reached": the person is known and waiting — kept as «Lý do khác»
    # with the text, so the commune sees the illness (it may call for payment at home next month)
    (OTHER_REASON, re.compile(r"\b(om|benh|nam vien|di vien|nhap vien|dieu tri|cap cuu|phau thuat)\b")),
    ("absent", re.compile(r"\b(vang|khong lien lac|mat lien lac|khong gap|khong co mat|di lam an xa|di lam xa|di xa"
                          r"|khong co nha|khong nhan thay)\b")),
    # only explicit refusal: "không nhận" alone is unclear ("other"), and refusing is a ground for stopping benefit
    ("refused", re.compile(r"\b(tu choi|khong dong y nhan|khong muon nhan|khong chiu nhan)\b")),
)
_WORD = re.compile(r"\w+")


def drop_echo(code: str | None, note: str | None) -> str | None:
    """``note`` unless it only repeats (folded) words of the label of ``code`` ("chết" under "Đối tượng đã
    chết")."""
    label = FAILURE_REASONS.get(code or "")
    if not note or label is None:
        return note
    words = set(_WORD.findall(fold(note)))
    return None if words and words <= set(_WORD.findall(fold(label))) else note


def failure_label(code: str | None) -> str | None:
    """Vietnamese label of a failure reason code; None for None or an unknown code."""
    return FAILURE_REASONS.get(code or "")


def classify_reason(text: str | None) -> tuple[str | None, str | None]:
    """Free-text reason (spreadsheet column "Lý do", old data) → (code, note). A label of ``FAILURE_REASONS``
    (alone or followed by " – note", as ``reason_text`` writes it) gives its code; known wordings give their code
    with the text kept as note; any other text gives ("other", text). Empty text gives (None, None)."""
    text = " ".join(nfc(text or "").split())
    if not text:
        return None, None
    folded = fold(text)
    for code, label in FAILURE_REASONS.items():
        key = fold(label)
        if folded == key:
            return code, None
        if folded.startswith(key) and (m := _NOTE_SEP.match(text, len(label))) and text[m.end():]:
            return code, drop_echo(code, text[m.end():])
    for code, pattern in _REASON_PATTERNS:
        if pattern.search(folded):
            return code, drop_echo(code, text)
    return OTHER_REASON, text


def reason_text(line: PayoutLine) -> str:
    """What is shown (and written in the payment sheet) for a line's failure reason: "label – note", the label
    alone, or the free text of a result recorded before the closed list (code None). "" when there is none."""
    label = failure_label(line.result_reason_code)
    if label is None:
        return line.result_reason or ""
    note = drop_echo(line.result_reason_code, line.result_reason)
    return f"{label} – {note}" if note else label
