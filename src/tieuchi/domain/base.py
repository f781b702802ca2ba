"""Shared base for the definition models: frozen, strict about unknown fields, NFC text."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

__all__ = ["Model", "LegalSource", "nfc", "fold"]

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"


def nfc(value: Any) -> Any:
    """Normalise every string inside ``value`` to Unicode NFC."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {nfc(k): nfc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [nfc(v) for v in value]
    return value


def fold(text: str) -> str:
    """Text for searching without diacritics: "Hà Nội" and "ha noi" fold alike."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


class Model(BaseModel):
    """Every definition model: immutable, unknown fields rejected, strings in NFC."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, coerce_numbers_to_str=True
    )

    @model_validator(mode="before")
    @classmethod
    def _normalise_text(cls, data: Any) -> Any:
        return nfc(data)


class LegalSource(Model):
    """Where a target or a criteria set comes from ("Nghị quyết số 12/NQ-HĐND ngày …")."""

    document: str
    issuer: str | None = None
    date: dt.date | None = None
    annex: str | None = None
    url: str | None = None
    verified: bool = False
    note: str | None = None

    @field_validator("document")
    @classmethod
    def _not_empty(cls, v: str) -> str:
        if not v:
            raise ValueError("the document name is empty; write e.g. 'Nghị quyết số 12/NQ-HĐND'")
        return v
