"""Bouclier's settings: each declared once, typed, with a default and a help line.

Values come from ``BOUCLIER_*`` environment variables (``BOUCLIER_DATABASE_URL`` sets
``database_url``). A bad value fails at start with :class:`~bouclier.errors.ConfigError`, never
silently. ``docs/settings.md`` is generated from these declarations (``make docs``) and a test
checks that it is current.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bouclier.errors import ConfigError


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "bouclier"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BOUCLIER_", frozen=True, extra="forbid")

    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Folder for the SQLite database and index snapshots "
        "(default: $XDG_DATA_HOME/bouclier, else ~/.local/share/bouclier).",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the database; default: a SQLite file bouclier.db in "
        "data_dir. PostgreSQL: postgresql+psycopg://user@host:5432/dbname.",
    )
    max_image_bytes: int = Field(
        default=50 * 1024 * 1024, ge=1, description="Largest image file accepted, in bytes."
    )
    max_image_pixels: int = Field(
        default=100_000_000,
        ge=1,
        description="Largest image accepted, in pixels (width x height, summed over the frames "
        "decoded); guards against decompression bombs.",
    )
    max_frames: int = Field(
        default=16,
        ge=1,
        description="Frames decoded from an animated image, spread evenly over the animation.",
    )
    pdq_min_quality: int = Field(
        default=50,
        ge=0,
        le=100,
        description="PDQ quality under which a hash is flagged as low quality (never dropped).",
    )
    robust_candidates: int = Field(
        default=64,
        ge=0,
        le=1024,
        description=(
            "Bank entries the crop-robust ORB stage verifies per image, run only when PDQ and "
            "the digests found nothing (about 0.3 ms each); 0 turns the stage off. A request "
            "may ask for fewer or more with ?robust=N (up to this limit's maximum, 1024)."
        ),
    )
    pdq_min_side: int = Field(
        default=512,
        ge=0,
        description="Before PDQ, large images are reduced by an integer factor (JPEG DCT scaling, "
        "box averaging otherwise) while their shorter side stays at least this many pixels; "
        "0 hashes at full resolution. See docs/benchmarks.md for the speed and bit distance.",
    )
    default_threshold: int = Field(
        default=31,
        ge=0,
        le=128,
        description="PDQ match threshold (Hamming distance, inclusive) of a new bank.",
    )
    likeness_threshold: float = Field(
        default=0.55,
        ge=0.0,
        le=2.0,
        description="Face match threshold of likeness protection (Euclidean distance between dlib "
        "face descriptors, inclusive); stricter than dlib's 0.6, see bouclier.detectors.faces.",
    )
    detectors: str | None = Field(
        default=None,
        description="Detectors to build, comma-separated names from bouclier.detectors.catalog; "
        "default: the catalog's default ones (nudity, faces, provenance). An unknown name stops "
        "Bouclier at start. The analysis needs nudity; likeness protection and the guard's "
        "check of images need faces.",
    )
    detector_threads: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Inference threads of each detector's model (onnxruntime's intra-op threads "
        "for nudity); `bouclier scan --threads` overrides it.",
    )
    policy_file: Path | None = Field(
        default=None,
        description="Policy TOML file (the sexual and revealing thresholds, the rules; see "
        "bouclier.policy.config) of the API, the guard and `bouclier scan` (unless --policy); "
        "default: the built-in policy.",
    )
    template_key_file: Path | None = Field(
        default=None,
        description="File holding the 32-byte key (raw or base64) that encrypts enrolled face "
        "templates; kept outside the database (`bouclier enrol key-create` makes one). Bouclier "
        "refuses to start when templates are stored and no key is set.",
    )
    template_key: SecretStr | None = Field(
        default=None,
        description="The template key itself, base64 (instead of BOUCLIER_TEMPLATE_KEY_FILE).",
    )

    case_key_file: Path | None = Field(
        default=None,
        description="File holding the 32-byte key (raw or base64) that encrypts cases' contact "
        "details and evidence files, kept outside the database; default: data_dir/keys/case.key, "
        "created (mode 0600) the first time it is needed.",
    )
    case_key: SecretStr | None = Field(
        default=None,
        description="The case key itself, base64 (instead of BOUCLIER_CASE_KEY_FILE).",
    )

    rate_limit_per_second: float = Field(
        default=20.0,
        ge=0.0,
        description="Requests per second each API key may make on average (a token bucket per "
        "key, in each server process); 0 turns the limit off.",
    )
    rate_limit_burst: int = Field(
        default=40,
        ge=1,
        description="Requests an API key may make at once before BOUCLIER_RATE_LIMIT_PER_SECOND "
        "applies (the size of its token bucket).",
    )
    snapshot_dir: Path | None = Field(
        default=None,
        description="Folder of the bank matcher's snapshots, from which a restart loads the index "
        "instead of reading every bank entry (default: data_dir/snapshots). Processes on one "
        "machine may share it: one file per database, written atomically.",
    )
    snapshot_every_changes: int = Field(
        default=100_000,
        ge=1,
        description="A process writes a new snapshot once the change log has moved by this many "
        "changes since its last one (and at start and clean shutdown).",
    )
    snapshot_every_seconds: float = Field(
        default=900.0,
        gt=0.0,
        description="A process also writes a new snapshot when the change log has moved at all "
        "and its last snapshot is this many seconds old.",
    )

    hotline_name: str | None = Field(
        default=None,
        description="Name of the hotline that sends takedown notices (the notifier); required to "
        "create a notice.",
    )
    hotline_email: str | None = Field(
        default=None,
        description="Email address where platforms answer notices (the notifier's contact); "
        "required to create a notice.",
    )
    hotline_address: str | None = Field(
        default=None, description="Postal address of the hotline, printed in notices if set."
    )
    notice_deadline_hours: float = Field(
        default=48.0,
        gt=0.0,
        description="Hours a platform has to remove a notified image, from the notice being sent "
        "(the TAKE IT DOWN Act's 48 hours), unless the notice's law sets its own; past it, "
        "`bouclier notice sweep` marks it expired.",
    )
    notice_reminder_after: float = Field(
        default=0.5,
        gt=0.0,
        lt=1.0,
        description="Fraction of the deadline after which an unanswered notice is sent again, "
        "once, as a reminder (0.5: after 24 of 48 hours).",
    )
    platforms_file: Path | None = Field(
        default=None,
        description="TOML file of the addresses where notices go, by platform "
        '([platforms.NAME] channel = "email"|"webhook"|"form", address = ...); '
        "see bouclier.notices.directory.",
    )
    pharos_email: str | None = Field(
        default=None,
        description="Email address for Pharos reports, if one is agreed with Pharos; otherwise a "
        "Pharos notice is filed by hand through internet-signalement.gouv.fr's web form.",
    )
    smtp_host: str | None = Field(
        default=None, description="SMTP server that sends notices by email (none: no email)."
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="Port of the SMTP server.")
    smtp_starttls: bool = Field(
        default=True, description="Upgrade the SMTP connection with STARTTLS before sending."
    )
    smtp_user: str | None = Field(default=None, description="SMTP user name, if it needs one.")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password.")
    smtp_from: str | None = Field(
        default=None,
        description="From address of notices sent by email (default: BOUCLIER_HOTLINE_EMAIL).",
    )
    smtp_timeout: float = Field(
        default=30.0, gt=0.0, description="Seconds to wait for the SMTP server before giving up."
    )

    @field_validator("detectors")
    @classmethod
    def _detector_names(cls, value: str | None) -> str | None:
        if value is None:
            return None
        names = [name.strip() for name in value.split(",") if name.strip()]
        for name in names:
            if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
                raise ValueError(f"{name!r} is not a detector name")
        if len(set(names)) != len(names):
            raise ValueError("a detector is named twice")
        return ",".join(names)

    @property
    def detector_names(self) -> tuple[str, ...] | None:
        """The names in ``detectors``, in order; None for the catalog's default ones."""
        if self.detectors is None:
            return None
        return tuple(self.detectors.split(",")) if self.detectors else ()

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'bouclier.db'}"

    @property
    def resolved_snapshot_dir(self) -> Path:
        return self.snapshot_dir or self.data_dir / "snapshots"


def load_settings(**overrides: object) -> Settings:
    """Reads the environment (and explicit overrides); a bad value raises ConfigError."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"BOUCLIER_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"invalid setting: {problems}") from None
