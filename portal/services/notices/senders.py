"""Delivery of a message (gửi tin nhắn), pluggable: ``LogSender`` writes to the application log with the phone
masked (default); ``SmsGatewaySender`` posts to an HTTP SMS gateway (``NOTICE_SENDER=sms``, ``SMS_GATEWAY_URL``,
``SMS_GATEWAY_TOKEN``). ``sender_from_config(config)`` picks one. A sender's ``send(phone, text)`` returns None on
success or a short error text."""
import json
import logging
import urllib.error
import urllib.request

log = logging.getLogger("portal.notices")


def mask_phone(phone: str | None) -> str:
    """Only the last three digits: "0912345678" → "•••••••678"."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    return "•" * max(len(digits) - 3, 0) + digits[-3:]


class LogSender:
    """Writes each message to the log (``portal.notices``), the phone masked."""

    name = "log"

    def send(self, phone: str, text: str) -> str | None:
        log.info("notice to %s: %s", mask_phone(phone), text)
        return None


class SmsGatewaySender:
    """POSTs ``{"to": phone, "text": text}`` (JSON) to ``url`` with ``Authorization: Bearer <token>``; an answer
    outside 2xx or a network error is the error text (the phone never goes to the log)."""

    name = "sms"

    def __init__(self, url: str, token: str = "", timeout: float = 10.0):
        self.url, self.token, self.timeout = url, token, timeout

    def send(self, phone: str, text: str) -> str | None:
        body = json.dumps({"to": phone, "text": text}).encode()
        req = urllib.request.Request(self.url, data=body, method="POST",
                                     headers={"Content-Type": "application/json",
                                              "Authorization": f"Bearer {self.token}"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return None if 200 <= resp.status < 300 else f"Cổng SMS trả lời {resp.status}"
        except urllib.error.HTTPError as err:
            return f"Cổng SMS trả lời {err.code}"
        except (urllib.error.URLError, TimeoutError, OSError) as err:
            return f"Không gửi được tới cổng SMS: {type(err).__name__}"


def sender_from_config(config) -> LogSender | SmsGatewaySender:
    """``NOTICE_SENDER`` "sms" with ``SMS_GATEWAY_URL`` → ``SmsGatewaySender``; anything else → ``LogSender``."""
    if config.get("NOTICE_SENDER") == "sms" and config.get("SMS_GATEWAY_URL"):
        return SmsGatewaySender(config["SMS_GATEWAY_URL"], config.get("SMS_GATEWAY_TOKEN") or "")
    return LogSender()
