/*
 * portal_video.js: the "add a video" form of the victim portal. The chosen video is fingerprinted
 * on this device by video.js (WebCodecs and pdq.js); only its frame hashes (frame number,
 * quality, PDQ, time) and the file's MD5 and SHA-256 are put in the form's hidden field and sent.
 * The file input has no name, so the video is never part of the form. A poster frame, small, is
 * kept in this browser's IndexedDB (thumbnails.js) under its first frame's hash, as a picture's
 * preview is, blurred on the case page until she asks to see it. What the form shares with the
 * pictures' (its parts, progress, refusals, the empty-form guard) is fingerprint_form.js's.
 * Loaded as a file (the Content-Security-Policy allows no inline script).
 */
(function () {
  "use strict";
  var shared = window.BouclierFingerprintForm;
  var parts = shared && shared.find("video", "video-file", "video-field");
  if (!parts || !window.BouclierVideo || !window.BouclierPDQ) {
    return;
  }
  var form = parts.form;
  var limits = {
    maxBytes: Number(form.dataset.maxBytes),
    maxSeconds: Number(form.dataset.maxSeconds),
    maxPixels: Number(form.dataset.maxPixels),
    secondsPerHash: Number(form.dataset.secondsPerHash) || 1,
  };

  function show(done, total) {
    shared.show(parts, done, total);
  }

  // the words of a refusal: video.js's code "too_big" is the form's data-error-too-big
  function refusal(error) {
    var code = (error && error.code) || "unreadable";
    var message = form.dataset["error" + code.replace(/(^|_)(\w)/g, function (w, s, c) {
      return c.toUpperCase();
    })];
    return message || form.dataset.errorUnreadable;
  }

  function hash(files) {
    var file = files[0];
    show(0, 1);
    return window.BouclierVideo.hashVideo(file, limits, show).then(function (video) {
      parts.field.value = JSON.stringify({
        frames: video.frames, md5: video.md5, sha256: video.sha256, duration: video.duration,
      });
      show(video.duration, video.duration);
      parts.ready.textContent = shared.fill(form.dataset.ready, {
        name: file.name, frames: video.frames.length,
      });
      parts.ready.hidden = false;
      var saving = video.poster && window.BouclierThumbs
        ? window.BouclierThumbs.save(video.frames[0][2], video.poster) : Promise.resolve();
      return saving.then(function () {
        parts.submit.disabled = false;
        form.dataset.state = "ready";
      });
    }).catch(function (error) {
      shared.refuse(parts, refusal(error));
      parts.progress.hidden = true;
      form.dataset.state = "refused";
    });
  }

  shared.attach(parts, hash);
})();
