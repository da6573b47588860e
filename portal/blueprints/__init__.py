"""Blueprints: auth, one per role (commune, bank, district, post_office, province, police) and documents."""


def register_blueprints(app):
    """Register every blueprint on ``app``."""
    from . import auth, bank, commune, district, documents, police, post_office, province

    for module in (auth, commune, bank, district, post_office, province, police, documents):
        app.register_blueprint(module.bp)
