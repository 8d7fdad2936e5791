"""Writes docs/settings.md from the declarations in bouclier.settings (``make docs``).

A test compares the file with what this module renders, so the documentation cannot drift.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bouclier.settings import Settings

SETTINGS_DOC = Path(__file__).resolve().parents[3] / "docs" / "settings.md"


def render_settings() -> str:
    lines = [
        "# Settings",
        "",
        "Every setting is read from an environment variable; a bad value stops Bouclier at start",
        "with a message naming the variable. Generated from `src/bouclier/settings.py` by",
        "`make docs`: edit the declarations, not this file.",
        "",
        "| variable | default | meaning |",
        "|---|---|---|",
    ]
    for name, field in Settings.model_fields.items():
        if field.default_factory is not None:
            default = "(computed)"
        elif field.default is None:
            default = "(none)"
        else:
            default = f"`{field.default}`"
        lines.append(f"| `BOUCLIER_{name.upper()}` | {default} | {field.description} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    SETTINGS_DOC.parent.mkdir(exist_ok=True)
    SETTINGS_DOC.write_text(render_settings())
    print(f"wrote {SETTINGS_DOC}", file=sys.stderr)


if __name__ == "__main__":
    main()
