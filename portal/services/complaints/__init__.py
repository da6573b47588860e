"""Complaints (phản ánh, kiến nghị) of beneficiaries and their families about payments (plan §V.5–V.6):

- ``deadlines``: the deadline in working days (the number of days as data, ``portal/data/complaints.json``; the
  days on the portal's one calendar, ``services.working_days``).
- ``records``: receive (tied to a person and a month or payout line), route to the organisation that can act,
  resolutions that act (re-issue on a supplementary list, change the channel, dispute the account, refer a card/PIN
  problem to the bank), close; every step audited.
- ``stats``: counts by kind, overdue and days to close for the monthly report and the province's dashboard.

Services order: after ``payouts`` and ``accounts``; ``reporting`` reads ``stats``.
"""
