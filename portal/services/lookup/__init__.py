"""The public status lookup for beneficiaries and their families (tra cứu tình trạng chi trả): CCCD + date of birth
(the year alone for a person recorded by year of birth only) → the last three months' amounts, channel and status,
the commune's contact, and a fixed warning against scams. No name, address, category or health data; attempts
audited with the ID and the address as keyed digests (``status``).
"""
