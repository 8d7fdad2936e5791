"""Evidence capture of reported links, and proof that a post is gone (issue 16).

- :mod:`~bouclier.capture.fetcher`: every byte the capture browser gets, under the webhooks'
  network rules, a byte budget and a deadline;
- :mod:`~bouclier.capture.recorder`: one visit in a fresh headless Chromium, recorded as WARC;
- :mod:`~bouclier.capture.archive`: the WARC as WACZ, and ``wacz validate``;
- :mod:`~bouclier.capture.timestamps`: RFC 3161 timestamps from the operator's authorities;
- :mod:`~bouclier.capture.package`: the signed package of a capture, and its verification;
- :mod:`~bouclier.capture.store`: captures of a case's URLs, sealed and logged;
- :mod:`~bouclier.capture.liveness`: re-visits of notified URLs (deadline, schedule, "removed").
"""

from bouclier.capture.store import CaptureInfo, Captures, CaptureUnavailable

__all__ = ["CaptureInfo", "CaptureUnavailable", "Captures"]
