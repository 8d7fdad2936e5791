"""``bouclier case send-updates`` and ``bouclier case purge-closed``: the case sweeps for cron.

``send-updates`` sends the email updates victims asked for (:mod:`bouclier.cases.updates`) that
are due, as each server process's mailer does in the background; it prints counts only.
``purge-closed`` deletes, as a withdrawal does, the cases closed longer ago than
``BOUCLIER_CASE_RETENTION_DAYS`` (the retention period the case page tells victims).
"""

from __future__ import annotations

from datetime import timedelta

import click

from bouclier.cli import exit_codes
from bouclier.cli.app import App
from bouclier.cli.case_cmd import _echo_json, case_group, cases_of


@case_group.command("send-updates")
@click.pass_obj
def send_updates(app: App) -> int:
    """Send the email updates due to victims (opt-in; "something changed, sign in")."""
    from bouclier.cases.updates import CaseMailer

    sent = CaseMailer(app.db, app.settings).send_due()
    _echo_json({"sent": sent})
    return exit_codes.OK


@case_group.command("purge-closed")
@click.option("--yes", is_flag=True, help="Delete without asking.")
@click.pass_obj
def purge_closed(app: App, yes: bool) -> int:
    """Delete the cases closed more than BOUCLIER_CASE_RETENTION_DAYS ago, as a withdrawal does."""
    from sqlalchemy import select

    from bouclier.storage.models import Case, utcnow

    limit = utcnow() - timedelta(days=app.settings.case_retention_days)
    with app.db.transaction() as session:
        numbers = list(
            session.scalars(
                select(Case.number).where(Case.status == "closed", Case.updated_at < limit)
            )
        )
    if numbers and not yes:
        click.confirm(f"delete {len(numbers)} closed cases for good?", abort=True)
    cases = cases_of(app)
    for number in numbers:
        cases.withdraw(number)
    _echo_json({"deleted": len(numbers)})
    return exit_codes.OK
