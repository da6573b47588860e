"""CLI commands that import spreadsheets and run the demo cycle (placeholder until the services land)."""


def register_import_commands(app):
    """Attach import-beneficiaries, import-bank-accounts and demo-cycle."""
    return None
