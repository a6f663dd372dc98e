"""The ``parbrief`` command line. Thin: every command calls one function of the package."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from parbrief.core.errors import ParbriefError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Quarterly PAR-index briefings: validate figures, score, run and render.")


def _fail(error: Exception) -> None:
    typer.echo(f"error: {error}", err=True)
    raise typer.Exit(1)


def _fail_problems(error, also: str = "") -> None:
    """Every problem of a ValidationError on its own line, then how many (and ``also``)."""
    for p in error.problems:
        typer.echo(str(p))
    typer.echo(f"{len(error.problems)} problem(s) found{also}", err=True)
    raise typer.Exit(1) from None


def _latest_period(dataset) -> str:
    """The newest quarter the units reported (a mistyped quarter of a few units is skipped)."""
    from parbrief.ingest import coverage

    return str(coverage.latest(coverage.reports_of(zip(dataset.figures.locality_code,
                                                       dataset.figures.period))))


def _output_file(out: Path, suffix: str, what: str, example: str) -> None:
    """``--out`` must name a file of the kind written: never a folder, a device, or a name
    whose extension says another format."""
    if out.is_dir():
        _fail(ValueError(f"--out {out} is a folder; give a file name ending in {suffix} "
                         f"(e.g. {out / example})"))
    if out.exists() and not out.is_file():
        _fail(ValueError(f"--out {out} is not a regular file (a device or a pipe); give a file "
                         f"name ending in {suffix} (e.g. {example})"))
    if out.suffix.lower() != suffix:
        _fail(ValueError(f"--out {out}: {what}; give a file name ending in {suffix} (e.g. "
                         f"{out.with_suffix(suffix).name})"))


def _written(out: Path, write) -> None:
    """Write ``out`` (atomically: a failed write leaves no half file), or say why not."""
    try:
        write()
    except OSError as e:
        _fail(ValueError(f"could not write {out}: {e.strerror or e}"))


@app.command()
def sample(out: Path = typer.Option(..., help="folder to write figures.csv, appraisal.csv, README.md"),
           province: str = typer.Option("40", help="province code, or 'all' for the whole country"),
           first: str = typer.Option("2023Q1", "--from", help="first quarter"),
           last: str = typer.Option("2026Q3", "--to", help="last quarter"),
           seed: int = typer.Option(876, help="random seed (same seed, same bytes)")) -> None:
    """Write a SYNTHETIC data set (for demonstrations, tests and benchmarks)."""
    from parbrief.core.periods import Quarter
    from parbrief.ingest.sample import write_sample

    try:
        written = write_sample(out, province=province, first=Quarter.parse(first),
                               last=Quarter.parse(last), seed=seed)
    except ParbriefError as e:
        _fail(e)
    for path in written or []:
        typer.echo(str(path))


@app.command()
def validate(paths: list[Path] = typer.Argument(..., help="data files or data set folders"),
             methodology: list[Path] = typer.Option(
                 [], help="a methodology file the appraisal rows name by id (besides the "
                 "shipped ones and the data set's methodologies/ folder); repeatable")) -> None:
    """Check data files; print every problem as file:row:column: message (exit 1 if any;
    a warning, such as a quarter that looks mistyped, is printed but does not fail)."""
    from parbrief.ingest.validation import validate_paths

    problems = validate_paths(list(paths), methodologies=list(methodology))
    for p in problems:
        typer.echo(str(p))
    errors = [p for p in problems if not p.warning]
    warned = len(problems) - len(errors)
    also = f", {warned} warning(s)" if warned else ""
    if errors:
        typer.echo(f"{len(errors)} problem(s) found{also}", err=True)
        raise typer.Exit(1)
    typer.echo(f"ok: no problems found{also}", err=True)


@app.command()
def score(data: Path = typer.Option(..., help="data set folder or figures file"),
          methodology: str = typer.Option(..., help="methodology id (par-commune, par-province-876, "
                                          "service-766, or one in the data set's methodologies/ "
                                          "folder) or a YAML file"),
          period: str = typer.Option(..., help="quarter (2026Q3), year (2025), year to date "
                                     "(2026Q1-Q3), 'latest' or 'latest-year'"),
          level: str | None = typer.Option(None, help="province | district | commune "
                                              "(default: the methodology's level)"),
          parent: str | None = typer.Option(None, help="peer group: the parent unit's code"),
          out: Path = typer.Option(..., help="CSV file to write")) -> None:
    """Score every locality of a level (optionally under one parent) and rank them among peers."""
    from parbrief.model.scores import league_table

    _output_file(out, ".csv", "the scores are a CSV table", "scores.csv")
    try:
        result = league_table(data, methodology, period, level, parent)
    except ParbriefError as e:
        _fail(e)
    import pandas as pd

    from parbrief.core.files import atomic_write
    from parbrief.publish.newsroom import neutralise

    table = result.table
    # a name or a class label can never run as a formula when the CSV is opened in Excel
    for column in table.columns:
        if not pd.api.types.is_numeric_dtype(table[column]):
            table[column] = [neutralise(v) if isinstance(v, str) else v for v in table[column]]
    _written(out, lambda: atomic_write(out, table.to_csv(index=False, lineterminator="\n")
                                       .encode("utf-8")))
    typer.echo(f"{len(table)} localities scored under {result.methodology.id} for "
               f"{result.period}: {out}")
    for note in result.notes:
        typer.echo(f"note: {note}", err=True)


@app.command()
def template(province: str = typer.Option(..., help="province code, e.g. 40"),
             period: str = typer.Option(..., help="quarter, e.g. 2026Q3"),
             out: Path = typer.Option(..., help="Excel file to write (.xlsx)")) -> None:
    """Write an Excel workbook pre-filled with the province's units, for localities to fill in."""
    from parbrief.ingest.template import write_template

    _output_file(out, ".xlsx", "the template is an Excel workbook", f"template-{province}.xlsx")
    try:
        _written(out, lambda: write_template(province, period, out))
    except ParbriefError as e:
        _fail(e)
    typer.echo(str(out))


@app.command()
def locality(query: str = typer.Argument(..., help="a code or a name (diacritics optional)"),
             period: str = typer.Option("2026Q3", help="the register in force in this quarter"),
             parent: str | None = typer.Option(None, help="restrict to units under this code")) -> None:
    """Look a unit up in the register by code or name."""
    from parbrief.units import register

    try:
        unit = register.get(query, period) if query.isdigit() else register.find(query, period,
                                                                                 parent=parent)
    except ParbriefError as e:
        _fail(e)
    for field, value in unit.__dict__.items():
        typer.echo(f"{field:14} {value}")


def _split(value: str | None, option: str) -> list[str] | None:
    if value is None:
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    if not items:
        _fail(ValueError(f"{option} needs at least one value, e.g. {option} vi,en"))
    return items


def _finish(result) -> None:
    raise typer.Exit(result.exit_code)


@app.command()
def run(locality: str = typer.Option(..., help="locality code (mã đơn vị), e.g. 17266"),
        period: str = typer.Option(..., help="quarter, e.g. 2026Q3, or 'latest'"),
        data: Path = typer.Option(Path("data/sample"), help="data set folder or figures file"),
        methodology: str = typer.Option("par-commune", help="methodology id or YAML file"),
        lang: str = typer.Option("vi,en", "--lang", help="languages, comma-separated: vi,en"),
        formats: str = typer.Option("html,pdf", help="output formats, comma-separated: html,pdf"),
        out: Path = typer.Option(Path("reports"), help="output folder"),
        executor: str = typer.Option("warm", help="warm | strict"),
        force: bool = typer.Option(False, help="run even when the briefing is up to date"),
        renderer: str = typer.Option("typst", help="typst | quarto (needs quarto on PATH)"),
        progress: bool = typer.Option(True, help="show a progress bar")) -> None:
    """One briefing: one locality in one quarter (HTML and PDF, Vietnamese and English)."""
    from parbrief.runner.batch import run_batch
    from parbrief.runner.params import run_params

    try:
        params = run_params(locality=locality, period=period, data=data, methodology=methodology,
                            languages=_split(lang, "--lang"), formats=_split(formats, "--formats"),
                            output=out, executor=executor)
        result = run_batch(params, workers=1, force=force, executor=executor,
                           progress=progress, renderer=renderer)
    except ParbriefError as e:
        _fail(e)
    _finish(result)


@app.command()
def batch(params_file: Path = typer.Argument(..., metavar="PARAMS",
                                             help="params file, e.g. params/nghe-an-latest.yaml"),
          workers: int | None = typer.Option(None, min=1, help="worker processes "
                                                "(default: the number of cores)"),
          force: bool = typer.Option(False, help="re-run jobs that are up to date"),
          executor: str | None = typer.Option(None, help="warm (default) | strict | dask"),
          scheduler: str | None = typer.Option(None, help="dask scheduler address "
                                                  "(tcp://host:8786); default: a local cluster"),
          progress: bool = typer.Option(True, help="show a progress bar on stderr"),
          out: Path | None = typer.Option(None, help="output folder (default: the params "
                                             "file's 'output')"),
          renderer: str = typer.Option("typst", help="typst | quarto (needs quarto on PATH)")) -> None:
    """Many briefings: every job of a params file, in parallel; skips what is up to date."""
    from parbrief.runner.batch import run_batch

    if scheduler and executor not in (None, "dask"):
        _fail(ValueError("--scheduler is for --executor dask"))
    try:
        result = run_batch(params_file, workers=workers, force=force,
                           executor="dask" if scheduler and not executor else executor,
                           scheduler=scheduler, progress=progress, renderer=renderer, output=out)
    except ParbriefError as e:
        _fail(e)
    _finish(result)


@app.command()
def provenance(report: Path = typer.Argument(..., help="a report file or its manifest")) -> None:
    """Print where a report came from: data, methodology, code, parameters, versions."""
    from parbrief.runner import provenance as prov

    try:
        _, manifest = prov.read(report)
    except ParbriefError as e:
        _fail(e)
    typer.echo(prov.describe(manifest))


@app.command()
def verify(report: Path = typer.Argument(..., help="a report file or its manifest"),
           data: Path | None = typer.Option(None, help="the data set (default: the one named "
                                               "in the manifest, found from the report's folder)")
           ) -> None:
    """Recompute a report's checksum chain; exit 0 if it still matches its inputs, 1 if not."""
    from parbrief.runner import provenance as prov

    try:
        checks = prov.verify(report, str(data) if data else None)
    except ParbriefError as e:
        _fail(e)
    for check in checks:
        typer.echo(str(check))
    if not all(c.ok for c in checks):
        typer.echo("the report no longer matches its inputs", err=True)
        raise typer.Exit(1)
    typer.echo("the report matches its inputs", err=True)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def lab(ctx: typer.Context,
        project: Path = typer.Option(None, help="project folder to serve (default: this checkout)")
        ) -> None:
    """JupyterLab on the project folder: templates and published reports read-only, working
    copies in work/. Other options go to JupyterLab (--ip, --port, --IdentityProvider.token,
    --no-browser)."""
    from parbrief.lab import main as lab_main

    lab_main(list(ctx.args), project)


notebook_app = typer.Typer(help="The batch's notebook templates.", no_args_is_help=True)
app.add_typer(notebook_app, name="notebook")


@notebook_app.command("check")
def notebook_check(paths: list[Path] = typer.Argument(..., help="template notebooks")) -> None:
    """Exit 1, naming the cells, if a template carries outputs or undeclared or changed cells."""
    from parbrief.runner.notebooks import check_template

    try:
        for path in paths:
            check_template(path)
    except ParbriefError as e:
        _fail(e)
    typer.echo(f"{len(paths)} template(s) clean")


@notebook_app.command("declare")
def notebook_declare(paths: list[Path] = typer.Argument(..., help="template notebooks")) -> None:
    """After a reviewed change to a template: clear its outputs and declare its cells as they
    are now, so the batch accepts it."""
    from parbrief.runner.notebooks import declare

    try:
        for path in paths:
            typer.echo(f"{path}: {len(declare(path))} cells declared")
    except ParbriefError as e:
        _fail(e)


methodology_app = typer.Typer(help="A province's own criteria set: Excel workbook, YAML file, "
                                   "check, the document a steering committee approves.",
                              no_args_is_help=True)
app.add_typer(methodology_app, name="methodology")


@methodology_app.command("export")
def methodology_export(methodology: str = typer.Argument(..., help="methodology id or YAML file"),
                       out: Path = typer.Option(..., help="Excel workbook to write (.xlsx)"),
                       data: Path | None = typer.Option(None, help="data set whose methodologies/ "
                                                           "folder holds the id")) -> None:
    """Write a methodology as an Excel workbook analysts edit (areas, criteria, rules, bands)."""
    from parbrief.ingest.methodology_book import export_book
    from parbrief.scoring import methodology as methodologies

    try:
        method = methodologies.load(methodology, [methodologies.folder_of(data)])
        _written(out, lambda: export_book(method, out))
    except ParbriefError as e:
        _fail(e)
    typer.echo(f"{out}: {method.id} {method.version}, {len(method.criteria())} criteria")


@methodology_app.command("import")
def methodology_import(book: Path = typer.Argument(..., help="the methodology workbook (.xlsx)"),
                       out: Path = typer.Option(..., help="YAML file to write, named <id>.yaml")
                       ) -> None:
    """Read a methodology workbook strictly and write its YAML file (nothing written if any
    cell is wrong: every problem is printed as book.xlsx#sheet:row:column: message)."""
    from parbrief.core.errors import ValidationError
    from parbrief.ingest.methodology_book import import_book

    try:
        method = import_book(book, out)
    except ValidationError as e:
        _fail_problems(e, f"; {out} not written")
    except ParbriefError as e:
        _fail(e)
    typer.echo(f"{out}: {method.id} {method.version}, {len(method.criteria())} criteria")


@methodology_app.command("check")
def methodology_check(path: Path = typer.Argument(..., help="a methodology file (.yaml) or "
                                                  "workbook (.xlsx)")) -> None:
    """Check a methodology as the scoring engine will; print its shape (exit 1 with the
    problems)."""
    from parbrief.core.errors import ValidationError
    from parbrief.ingest.methodology_book import check_file
    from parbrief.model.methodology_document import describe

    try:
        method = check_file(path)
    except ValidationError as e:
        _fail_problems(e)
    except ParbriefError as e:
        _fail(e)
    for line in describe(method):
        typer.echo(line)


@methodology_app.command("document")
def methodology_document(methodology: str = typer.Argument(..., help="methodology id or YAML "
                                                           "file"),
                         out: Path = typer.Option(Path("reports"), help="output folder"),
                         data: Path | None = typer.Option(None, help="data set whose "
                                                             "methodologies/ folder holds the id"),
                         lang: str = typer.Option("vi,en", "--lang", help="languages: vi,en"),
                         formats: str = typer.Option("html,pdf", help="formats: html,pdf"),
                         force: bool = typer.Option(False, help="make it even when up to date"),
                         progress: bool = typer.Option(True, help="show a progress bar")) -> None:
    """The methodology document a steering committee approves (every criterion, its maximum
    and how it is scored; bands; the rules), through the batch: out/methodology/."""
    from parbrief.runner.batch import run_batch
    from parbrief.runner.params import document_params

    try:
        params = document_params(methodology, out, _split(lang, "--lang"),
                                 _split(formats, "--formats"), data)
        result = run_batch(params, workers=1, force=force, progress=progress)
    except ParbriefError as e:
        _fail(e)
    _finish(result)


appraisal_app = typer.Typer(help="Appraisal points: a published annual table fed in.",
                            no_args_is_help=True)
app.add_typer(appraisal_app, name="appraisal")


@appraisal_app.command("from-table")
def appraisal_from_table(
        table: Path = typer.Argument(..., help="the published table saved as CSV: unit (name or "
                                     "locality_code), appraised and survey points; index and "
                                     "rank, if given, are checked"),
        methodology: str = typer.Option(..., help="methodology id or YAML file"),
        period: str = typer.Option(..., help="the year of the table, e.g. 2024"),
        parent: str | None = typer.Option(None, help="the province (or district) whose units "
                                          "the table ranks; none for the country's provinces"),
        level: str | None = typer.Option(None, help="province | district | commune (default: "
                                         "the parent's districts before July 2025, communes "
                                         "after)"),
        data: Path | None = typer.Option(None, help="data set whose methodologies/ folder holds "
                                         "the id"),
        out: Path = typer.Option(..., help="appraisal.csv to write (an existing one keeps its "
                                 "other years and methodologies)")) -> None:
    """Write a published annual table's points as appraisal rows (appraised-total and
    survey-total per unit), and check that they reproduce its index and rank."""
    from parbrief.core.errors import ValidationError
    from parbrief.model.published import from_table, write

    try:
        converted = from_table(table, methodology, period, parent, level, data)
        _written(out, lambda: write(converted, out))
    except ValidationError as e:
        _fail_problems(e, f"; {out} not written")
    except ParbriefError as e:
        _fail(e)
    typer.echo(f"{out}: {len(converted.rows)} rows ({len(converted.table)} units, {period})")
    for line in converted.checked:
        typer.echo(f"checked: {line}")
    for line in converted.differences:
        typer.echo(f"differs: {line}")
    if converted.differences:
        raise typer.Exit(1)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
