"""Command-line chores under ``flask --app quizapp ...``."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from quizapp.admin.services import LastAdminError, change_role
from quizapp.auth.services import AccountError, find_user, register_user
from quizapp.extensions import db
from quizapp.models import Role, User

users_cli = AppGroup("users", help="Create accounts and change roles.")

ROLE_CHOICE = click.Choice([r.value for r in Role])


@users_cli.command("create")
@click.argument("email")
@click.option("--name", default="", help="Display name (defaults to the e-mail's local part).")
@click.option("--role", type=ROLE_CHOICE, default=Role.LEARNER.value, show_default=True)
@click.password_option(help="Password (asked for when not given).")
def create_user(email: str, name: str, role: str, password: str) -> None:
    """Create an account, e.g. the first admin: users create me@example.org --role admin."""
    try:
        user = register_user(email, password, name, Role(role))
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role.value}).")


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=ROLE_CHOICE)
def set_role_command(email: str, role: str) -> None:
    """Promote (or demote) an existing account: users set-role me@example.org admin."""
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"No account with the e-mail {email}.")
    try:
        change_role(user, Role(role))
    except LastAdminError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"{user.email} is now {user.role.value}.")


@users_cli.command("list")
def list_users() -> None:
    """List accounts with their roles."""
    for user in db.session.scalars(sa.select(User).order_by(User.id)):
        click.echo(f"{user.id}\t{user.role.value}\t{user.email}\t{user.display_name}")


@click.command("init")
@click.option("--no-bank", is_flag=True, help="Do not load the bundled question bank.")
def init_command(no_bank: bool) -> None:
    """Upgrade the database to the latest migration and load (or update) the bundled bank."""
    from flask_migrate import upgrade

    from quizapp.bank.validate import InvalidSetError
    from quizapp.sets.cli import format_report
    from quizapp.sets.loader import load_bundled_bank

    upgrade()
    click.echo("Database schema is up to date.")
    _figures_for_upgraded_learners()
    if no_bank:
        return
    try:
        reports = load_bundled_bank()
    except InvalidSetError as exc:
        db.session.rollback()
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(
            "the bundled question bank has problems; nothing was loaded"
        ) from None
    db.session.commit()
    for report in reports:
        click.echo(format_report(report))


def _figures_for_upgraded_learners() -> None:
    """Learners who answered before the app kept figures get them computed once."""
    from quizapp.learners.rebuild import learners_without_figures, rebuild_learners

    ids = learners_without_figures()
    for user_id in ids:
        rebuild_learners([user_id])
        db.session.commit()
    if ids:
        click.echo(f"Computed the kept figures of {len(ids)} learner(s).")


def register_cli(app: Flask) -> None:
    from quizapp.account.cli import hand_over_command
    from quizapp.auth.cli import reset_password_command
    from quizapp.classmodel.cli import classes_cli
    from quizapp.learners.cli import learners_cli
    from quizapp.sets.cli import register as register_bank

    users_cli.add_command(reset_password_command)
    users_cli.add_command(hand_over_command)
    app.cli.add_command(learners_cli)
    app.cli.add_command(classes_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(init_command)
    register_bank(app)
