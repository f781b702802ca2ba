"""``tieuchi units``: the published administrative units (tieuchi.library.admin_units) into a
definition folder's ``units.yaml``, and a province's communes listed. Thin: finding the units,
their codes, levels and succession is the library's work."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tieuchi.cli import _fail, _refusals, app, err, out

__all__ = ["units_app", "ProvinceOpt", "CommuneOpt", "DistrictOpt", "Before2025Opt", "one_place"]

units_app = typer.Typer(help="The published administrative units (2025 and before): add "
                             "them to a folder, list them.", no_args_is_help=True)
app.add_typer(units_app, name="units")

ProvinceOpt = Annotated[str, typer.Option(
    "--province", help="The 2025 province or city: its name (with or without accents or "
    "'Tỉnh'/'Thành phố') or its GSO code.")]
CommuneOpt = Annotated[str | None, typer.Option(
    "--commune", help="Only this 2025 commune (xã, phường, đặc khu) of the province: name or "
    "GSO code.")]
DistrictOpt = Annotated[str | None, typer.Option(
    "--district", help="A district before 1/7/2025 (name or code), with its communes and the "
    "2025 communes they became; implies --before-2025.")]
Before2025Opt = Annotated[bool, typer.Option(
    "--before-2025", help="Also the districts and communes before 1/7/2025 that became the "
    "chosen units, with their successors.")]


def one_place(commune: str | None, district: str | None) -> None:
    """Refuse --commune with --district: a folder starts from one of them."""
    if commune is not None and district is not None:
        raise _fail("give --commune or --district, not both")


@units_app.command("add")
def units_add(
    folder: Annotated[Path, typer.Argument(help="The definition folder (made if missing).")],
    province: ProvinceOpt,
    commune: CommuneOpt = None,
    district: DistrictOpt = None,
    before_2025: Before2025Opt = False,
    force: Annotated[bool, typer.Option(
        "--force", help="Replace an existing units.yaml.")] = False,
) -> None:
    """Write FOLDER/units.yaml: the province and its communes (or one commune, or a
    pre-2025 district) as published, with their GSO codes and kinds; the folder is then
    checked, and units.yaml is put back as it was if the check finds an error."""
    from tieuchi.cli.init import write_checked
    from tieuchi.definitions import declared_levels
    from tieuchi.library import admin_units

    one_place(commune, district)
    with _refusals():
        chosen = admin_units.find_province(province)
        units = admin_units.units_for(chosen, commune=commune, before_2025=before_2025,
                                      district=district)
    target = folder / "units.yaml"
    if target.exists() and not force:
        raise _fail(f"{target} exists; give --force to replace it (its units and any edits "
                    "to them are lost)")
    declared = declared_levels(folder, skip=target)
    levels = admin_units.missing_levels(declared, units)
    named = units[:1] + [u for u in units[1:] if (commune and u["level"] == "xa")
                         or (district and u["level"] == "huyen")][:1]
    title = " / ".join(admin_units.titled(u["kind"], u["name"]) for u in named)
    write_checked(folder, {target.name: admin_units.units_file(units, levels, title)})
    counts = _count_by_kind(units)
    out.print(f"wrote {target}: {len(units)} units ({counts})", highlight=False)
    if declared and levels:
        err.print(f"the folder declares the levels {', '.join(sorted(declared))}; units.yaml "
                  f"adds {', '.join(lv['code'] for lv in levels)}", highlight=False)
    elif declared:
        err.print(f"levels: the folder's own ({', '.join(sorted(declared))}) are used",
                  highlight=False)


@units_app.command("list")
def units_list(
    province: ProvinceOpt,
) -> None:
    """The province's 2025 communes: GSO code, name, kind and area."""
    from tieuchi.library import admin_units
    from tieuchi.reports.formatting import number

    with _refusals():
        chosen = admin_units.find_province(province)
    communes = admin_units.communes_of(chosen)
    table = Table(title=f"{admin_units.titled(chosen.kind, chosen.name)} ({chosen.code}): "
                  f"{len(communes)} communes "
                  f"({admin_units.SOURCE['package']} {admin_units.SOURCE['version']})",
                  title_justify="left")
    for column in ("code", "name", "kind"):
        table.add_column(column)
    table.add_column("km²", justify="right")
    for c in communes:
        table.add_row(c.code, c.name, c.kind, number(c.area_km2, "vi", 2))
    out.print(table)


def _count_by_kind(units: list[dict[str, object]]) -> str:
    counts: dict[str, int] = {}
    for unit in units:
        counts[str(unit["kind"])] = counts.get(str(unit["kind"]), 0) + 1
    return ", ".join(f"{n} {kind}" for kind, n in counts.items())
