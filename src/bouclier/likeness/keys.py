"""The template key's configuration: ``BOUCLIER_TEMPLATE_KEY_FILE`` or ``BOUCLIER_TEMPLATE_KEY``.

The key comes from ``BOUCLIER_TEMPLATE_KEY_FILE`` (a file holding the key raw or in base64) or
``BOUCLIER_TEMPLATE_KEY`` (base64). The key itself, its ``key_id`` and the writing of key files
are in :mod:`bouclier.keyfiles`, shared with the case key of :mod:`bouclier.cases.sealing`.
"""

from __future__ import annotations

from bouclier.errors import ConfigError
from bouclier.keyfiles import TemplateKey
from bouclier.settings import Settings


def load_key(settings: Settings) -> TemplateKey | None:
    """The configured key, None when none is configured, ConfigError when it is unusable."""
    if settings.template_key_file is not None and settings.template_key is not None:
        raise ConfigError("set BOUCLIER_TEMPLATE_KEY_FILE or BOUCLIER_TEMPLATE_KEY, not both")
    if settings.template_key is not None:
        value = settings.template_key.get_secret_value().encode("ascii", "replace")
        return TemplateKey.parse(value, "BOUCLIER_TEMPLATE_KEY")
    if settings.template_key_file is not None:
        path = settings.template_key_file.expanduser()
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ConfigError(
                f"BOUCLIER_TEMPLATE_KEY_FILE {path} cannot be read: {exc.strerror}"
            ) from None
        return TemplateKey.parse(data, f"BOUCLIER_TEMPLATE_KEY_FILE {path}")
    return None
