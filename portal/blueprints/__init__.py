"""Blueprints: auth, one per role (commune, bank, district, post_office, province, police) and documents."""


def register_blueprints(app):
    """Register every blueprint on ``app``."""
    from . import auth, bank, commune, district, documents, jobs, police, post_office, province

    for module in (auth, commune, bank, district, post_office, province, police, documents, jobs):
        app.register_blueprint(module.bp)
    from . import rates  # standard levels, coefficients, top-ups and fees, edited by the province (issue #4)
    app.register_blueprint(rates.bp)
    from . import reference_admin  # category wording for imports, edited by the province (issue #3)
    app.register_blueprint(reference_admin.bp)
    from . import contracts, reports, verify  # official documents (issue #6)
    for module in (contracts, reports, verify):
        app.register_blueprint(module.bp)
