"""``tieuchi criteria list|add``: the criteria sets shipped with tieuchi, and copying one
into a definition folder. Thin: the sets are :mod:`tieuchi.library.criteria`'s, the copy and
its check :func:`tieuchi.io.criteria_sets.add_shipped_set`'s."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tieuchi.cli import LangOpt, _check_lang, _fail, _print_problems, app, out

__all__ = ["criteria_app"]

criteria_app = typer.Typer(
    help="The criteria sets shipped with tieuchi (national sets with their legal sources): "
         "list them, add one to a folder.", no_args_is_help=True)
app.add_typer(criteria_app, name="criteria")


def _date(day: object) -> str:
    return day.strftime("%d/%m/%Y") if hasattr(day, "strftime") else "…"


@criteria_app.command("list")
def criteria_list(lang: LangOpt = "vi") -> None:
    """The shipped sets: name, title, document, in force from–to, criteria verified in the
    legal text (x/y)."""
    from tieuchi.library.criteria import shipped_sets

    _check_lang(lang)
    vi = lang == "vi"
    table = Table(title="Bộ tiêu chí có sẵn" if vi else "Shipped criteria sets",
                  title_justify="left")
    table.add_column("Tên" if vi else "Name", no_wrap=True)
    table.add_column("Bộ tiêu chí" if vi else "Set")
    table.add_column("Văn bản" if vi else "Document")
    table.add_column("Hiệu lực" if vi else "In force")
    table.add_column("Đối chiếu" if vi else "Verified", justify="right", no_wrap=True)
    status = {"in force": "đang hiệu lực", "history": "đã hết hiệu lực"} if vi else {}
    for s in shipped_sets():
        state = s.status()
        table.add_row(s.name, s.title if vi else s.title_en, s.document,
                      f"{_date(s.effective_from)} – {_date(s.effective_to)} "
                      f"({status.get(state, state)})", f"{s.verified}/{s.criteria}")
    out.print(table)
    out.print("tieuchi criteria add NAME DIR; docs/criteria-library.md says what was read "
              "and what is verified" if lang == "en" else
              "tieuchi criteria add TÊN THƯ-MỤC; docs/criteria-library.md ghi nguồn đã đọc và "
              "mức đã đối chiếu", highlight=False)


@criteria_app.command("add")
def criteria_add(
    name: Annotated[str, typer.Argument(help="A shipped set (tieuchi criteria list).")],
    path: Annotated[Path, typer.Argument(help="The definition folder.")] = Path("."),
    force: Annotated[bool, typer.Option(
        "--force", help="Replace criteria/NAME.yaml if it exists.")] = False,
    lang: LangOpt = "vi",
) -> None:
    """Copy a shipped set into DIR/criteria/NAME.yaml (without the indicators the folder
    already defines), check the folder, and say what to fill in. When the set does not fit
    the folder, nothing is written."""
    from tieuchi.domain.problems import ProblemError
    from tieuchi.io.criteria_sets import add_shipped_set

    _check_lang(lang)
    if not path.is_dir():
        raise _fail(f"{path} is not a folder")
    try:
        added = add_shipped_set(path, name, force=force)
    except ProblemError as exc:
        _print_problems(list(exc.problems))
        raise typer.Exit(1) from None
    _print_problems(list(added.warnings))
    i = 0 if lang == "en" else 1
    out.print(("wrote {path}: {sets}" if lang == "en" else "đã ghi {path}: {sets}").format(
        path=added.path, sets=", ".join(added.sets)), highlight=False)
    if added.kept:
        out.print(("kept the folder's own definitions of: " if lang == "en" else
                   "giữ định nghĩa sẵn có của thư mục cho: ") + ", ".join(added.kept),
                  highlight=False)
    if added.to_fill:
        out.print("to fill in:" if lang == "en" else "cần điền:", highlight=False)
        for line in added.to_fill:
            out.print(f"  - {line[i]}", highlight=False, soft_wrap=True)
