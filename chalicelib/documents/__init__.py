"""The ONE Jinja2 environment of the project: templates under chalicelib/documents/templates.

Autoescape on for HTML/XML (documents carry citizens' text), off for plain-text templates
(`*.txt.j2`: SMS texts), StrictUndefined (a missing field is a bug, never an empty cell in a
printed record).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2

TEMPLATES = Path(__file__).with_name("templates")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The environment, built on first use: Jinja2 is loaded only by what renders a document or a text."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "htm", "xml", "html.j2", "xml.j2"),
            disabled_extensions=("txt", "txt.j2"),
            default=True,
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def __getattr__(name: str) -> Any:
    """`documents.env`: the same environment."""
    if name == "env":
        return environment()
    raise AttributeError(name)
