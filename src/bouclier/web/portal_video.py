"""The victim portal's videos: a video fingerprinted on her device, only its hashes sent.

``video.js`` decodes the video in her browser (WebCodecs) and hashes a frame a second with
``pdq.js``; ``portal_video.js`` (on ``fingerprint_form.js``, which the pictures' form shares) puts
the frame hashes and the file's MD5 and SHA-256 in the form's hidden field (the file input has no
``name``: the video is never part of the form). This route
checks that JSON (:func:`bouclier.cases.videos.parse_video_report`) and adds the video as an item
of her case, in the victim bank at once (:meth:`bouclier.cases.Cases.add_video`).
"""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from bouclier.cases.videos import parse_video_report
from bouclier.errors import InputError
from bouclier.web import common
from bouclier.web.portal import json_field, posted, show_case

router = APIRouter(include_in_schema=False)


@router.post("/case/videos")
def add_video(request: Request, csrf_token: str = Form(""), video: str = Form("")) -> Response:
    found = posted(request, csrf_token)
    if isinstance(found, Response):
        return found
    session, case = found
    settings = request.app.state.services.settings
    try:
        data = json_field(video, missing="no_video_hashes", invalid="invalid_video_hashes")
        report = parse_video_report(data, settings.max_video_seconds)
    except InputError as exc:
        key = {"no_video_hashes": "videos.none", "video_too_long": "videos.too_long"}
        error = key.get(exc.code, "videos.error")
        return show_case(request, session, case, errors={"videos": error}, status_code=400)
    added = common.cases(request).add_video(case.number, report)
    request.app.state.services.refresh_matcher()  # this process matches it from now on
    return common.redirect(f"/case?done=videos&n={0 if added is None else 1}")
