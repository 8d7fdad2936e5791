"""Cases: anonymous reports of victims and families, their items, collective cases, the custody
log, re-uploads blocked by platforms, and withdrawal that deletes for real."""

from bouclier.cases.custody import Entry, Verification, verify
from bouclier.cases.store import (
    FALSE_POSITIVE_BANK,
    VICTIM_BANK,
    CaseInfo,
    Cases,
    HashReport,
    ItemInfo,
    QueueEntry,
    ReuploadInfo,
    WithdrawalInfo,
    record_reupload,
)

__all__ = [
    "FALSE_POSITIVE_BANK",
    "VICTIM_BANK",
    "CaseInfo",
    "Cases",
    "Entry",
    "HashReport",
    "ItemInfo",
    "QueueEntry",
    "ReuploadInfo",
    "Verification",
    "WithdrawalInfo",
    "record_reupload",
    "verify",
]
