"""Blueprints: sign-in, one per role (commune, bank, district, post_office, province, police), the province's rates
and category wording, official documents (contracts, reports, public verification), downloads and job pages."""


def register_blueprints(app):
    """Register every blueprint on ``app``."""
    from . import (
        account_checks,
        account_watch,
        assets,
        auth,
        bank,
        commune,
        complaints,
        contracts,
        district,
        documents,
        health,
        jobs,
        life_signals,
        lookup,
        police,
        post_office,
        province,
        rates,
        reference_admin,
        reports,
        verify,
    )

    for module in (assets, auth, commune, bank, district, post_office, province, police, documents, jobs, rates,
                   reference_admin, contracts, reports, verify, health, complaints, lookup, account_checks,
                   account_watch, life_signals):
        app.register_blueprint(module.bp)
