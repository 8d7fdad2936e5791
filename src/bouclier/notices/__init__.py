"""Takedown notices: for each platform and URL of a case, a notice that fills every element the
law names (EU DSA art. 16(2), US TAKE IT DOWN Act, France's Pharos), rendered as text, HTML and
PDF, sent by email or webhook (or filed through a web form), and tracked to the platform's answer
with a deadline and a reminder; every event goes to the case's custody log."""

from bouclier.notices.content import Hotline, NoticeData, NoticeFacts, build
from bouclier.notices.directory import Recipient, recipient_for
from bouclier.notices.info import NoticeInfo, SweepResult
from bouclier.notices.laws import LAWS, Law, missing_elements
from bouclier.notices.mail import NoticeNotSent
from bouclier.notices.render import FORMATS, render
from bouclier.notices.store import Notices

__all__ = [
    "FORMATS",
    "LAWS",
    "Hotline",
    "Law",
    "NoticeData",
    "NoticeFacts",
    "NoticeInfo",
    "NoticeNotSent",
    "Notices",
    "Recipient",
    "SweepResult",
    "build",
    "missing_elements",
    "recipient_for",
    "render",
]
