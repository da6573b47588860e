"""What the layout of every commune page shows besides the page itself: the count of change lists waiting for the
chairman's review in the nav (``access.accepts_changes``) and, on a commune of the 2025 tree, the notice while the
reform that feeds it is not carried out (``services.reform_notice``). Both are functions the layout calls, so an
htmx fragment (a block only) costs no query."""
from flask_login import current_user

from ...access import accepts_changes
from ...areas import visible
from ...models import ChangeSubmission
from ...services.reform_notice import reform_notice
from ...services.registry.submissions import waiting_count
from .blueprint import bp


@bp.context_processor
def layout_helpers():
    """``changes_waiting()``: change lists waiting for review in the user's area (None when the user does not
    review them); ``commune_reform_notice()``: the ``ReformNotice`` of the user's commune, or None."""
    def changes_waiting():
        return waiting_count(visible(ChangeSubmission)) if accepts_changes(current_user) else None

    def commune_reform_notice():
        return reform_notice(current_user.organization.unit_code)

    return {"changes_waiting": changes_waiting, "commune_reform_notice": commune_reform_notice}
