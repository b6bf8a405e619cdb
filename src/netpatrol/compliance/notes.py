"""The engine's evidence notes in both languages, from the catalogue `compliance/notes.yaml`.

An evidence entry is a config line (device text, language-neutral, a `str`) or a note (`Texts`):
what the engine says about the config, which a client reads in the report's language. Notes are
built here only, so no English sentence or regex reaches a Chinese report.
"""

from __future__ import annotations

import functools
from importlib.resources import files
from typing import Any

import yaml

from netpatrol.compliance.model import LANGS, Texts


@functools.cache
def catalogue() -> dict[str, dict[str, str]]:
    return yaml.safe_load(files("netpatrol.compliance").joinpath("notes.yaml").read_text(encoding="utf-8"))


def note(key: str, **params: Any) -> Texts:
    """The note `key` in both languages. A `Texts` parameter is filled in per language; any other
    value (a config line, a number, a platform name) the same in both."""
    entry = catalogue()[key]
    return Texts.model_validate({lang: entry[lang].format(**{k: v.get(lang) if isinstance(v, Texts) else v
                                                             for k, v in params.items()})
                                 for lang in LANGS})


def empty() -> Texts:
    """A part of a note that is absent in both languages (`where` for the whole config)."""
    return Texts.model_construct(zh_CN="", en="")
