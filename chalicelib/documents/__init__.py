"""The ONE Jinja2 environment of the project: templates under chalicelib/documents/templates.

Autoescape on for HTML/XML (documents carry citizens' text), off for plain-text templates
(`*.txt.j2`: SMS texts), StrictUndefined (a missing field is a bug, never an empty cell in a
printed record).
"""

from __future__ import annotations

from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).with_name("templates")

env = jinja2.Environment(
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
