"""Short messages to beneficiaries who gave a phone number and consented (Law 91/2025/QH15 on personal data):

- ``consent``: record, and withdraw, a person's consent with its date (commune committee).
- ``outbox``: compose the month's messages (paid; not received; account needs attention), ≤ 160 characters with an
  unaccented variant, one per person, kind and month; deliver them through a sender.
- ``senders``: pluggable delivery — ``LogSender`` (default: the application log, phone masked) and
  ``SmsGatewaySender`` (an HTTP SMS gateway configured by environment).
"""
