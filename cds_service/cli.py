"""Command line: ``myositis-cds serve | mappings check | evaluate``."""

from __future__ import annotations

import typer
import uvicorn

from cds_service.settings import Environment, Settings

app = typer.Typer(help="Myositis CDS Hooks service", no_args_is_help=True)
mappings_app = typer.Typer(help="Terminology tables")
app.add_typer(mappings_app, name="mappings")


@app.command()
def serve() -> None:
    """Serve the CDS Hooks service on CDS_HOST:CDS_PORT."""
    settings = Settings()
    uvicorn.run(
        "cds_service.asgi:app",
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        access_log=False,
        log_config=None,
    )


@mappings_app.command("check")
def mappings_check() -> None:
    """Check the terminology tables; exit 1 listing every problem."""
    from cds_service.terminology import check_mappings

    settings = Settings(env=Environment.DEV, auth_required=False)
    problems = check_mappings(settings.mappings_dir)
    for problem in problems:
        typer.echo(problem, err=True)
    if problems:
        raise typer.Exit(1)
    typer.echo(f"mappings OK: {settings.mappings_dir}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
