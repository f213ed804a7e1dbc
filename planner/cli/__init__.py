"""The ``planner`` command line (SPEC §6): typer commands, thin — parse, call the API, print.

``commands`` holds the app's own commands (validate, solve, check, roadmap, export,
generate, schema) and ``main``; ``tradeoffs``, ``batch``, ``workspace`` and
``app_launcher`` register theirs on the one app of ``common``. The top layer with
``planner.ui``: nothing below imports it.
"""


def main() -> None:
    """Run the ``planner`` command (the console script ``planner.cli:main``, ``python -m planner``).

    Loads the commands on first use, so that importing one command module does not load
    them all.
    """
    from planner.cli.commands import main as run_commands

    run_commands()
