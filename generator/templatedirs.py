"""Where a site's templates come from: its own templates/ folder, then the default theme.
(A module of its own: the no-op build needs this and nothing else of rendering.)"""

from __future__ import annotations

from pathlib import Path


def default_theme() -> Path:
    """The bundled theme: inside the package when installed, the repo's templates/ in a
    source checkout."""
    packaged = Path(__file__).parent / "theme"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "templates"


def template_dirs(root: Path) -> list[Path]:
    """Site templates first, then the default theme (the same folder only once)."""
    theme = default_theme().resolve()
    own = (root / "templates").resolve()
    return [own, theme] if own.is_dir() and own != theme else [theme]
