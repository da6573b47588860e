"""What every browser test does first: a new browser context (Vietnamese locale) logged in as a demo user."""
DEMO_PASSWORD = "demo1234"


def login(browser, base: str, username: str, **context_options):
    """A page of a new context of ``browser`` logged in at ``base`` as ``username`` (demo password), the login
    answered. ``context_options`` go to ``browser.new_context`` (``locale`` defaults to vi-VN); tests that wait with
    string expressions pass ``bypass_csp=True`` (the CSP refuses eval)."""
    context_options.setdefault("locale", "vi-VN")
    page = browser.new_context(**context_options).new_page()
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page
