/*
 * portal_video.js: the "add a video" form of the victim portal. The chosen video is fingerprinted
 * on this device by video.js (WebCodecs and pdq.js); only its frame hashes (frame number,
 * quality, PDQ, time) and the file's MD5 and SHA-256 are put in the form's hidden field and sent.
 * The file input has no name, so the video is never part of the form. A poster frame, small, is
 * kept in this browser's IndexedDB (thumbnails.js) under its first frame's hash, as a picture's
 * preview is, blurred on the case page until she asks to see it.
 * Loaded as a file (the Content-Security-Policy allows no inline script).
 */
(function () {
  "use strict";
  var form = document.getElementById("video-form");
  if (!form || !window.BouclierVideo || !window.BouclierPDQ) {
    return;
  }
  var input = document.getElementById("video-file");
  var field = document.getElementById("video-field");
  var submit = document.getElementById("video-submit");
  var progress = document.getElementById("video-progress");
  var bar = document.getElementById("video-progress-bar");
  var status = document.getElementById("video-progress-text");
  var ready = document.getElementById("video-ready");
  var problem = document.getElementById("video-client-error");
  var limits = {
    maxBytes: Number(form.dataset.maxBytes),
    maxSeconds: Number(form.dataset.maxSeconds),
    maxPixels: Number(form.dataset.maxPixels),
    secondsPerHash: Number(form.dataset.secondsPerHash) || 1,
  };
  form.hidden = false;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  function refuse(message) {
    problem.textContent = message;
    problem.hidden = false;
  }

  function show(done, total) {
    bar.max = Math.max(1, Math.round(total));
    bar.value = Math.round(done);
    status.textContent = fill(form.dataset.progress, {
      done: Math.round(done), total: Math.round(total),
    });
  }

  input.addEventListener("change", function () {
    field.value = "";
    submit.disabled = true;
    ready.hidden = true;
    problem.hidden = true;
    var file = input.files && input.files[0];
    if (!file) {
      progress.hidden = true;
      return;
    }
    progress.hidden = false;
    show(0, 1);
    input.disabled = true;
    form.dataset.state = "hashing";
    window.BouclierVideo.hashVideo(file, limits, show).then(function (video) {
      field.value = JSON.stringify({
        frames: video.frames, md5: video.md5, sha256: video.sha256, duration: video.duration,
      });
      show(video.duration, video.duration);
      ready.textContent = fill(form.dataset.ready, { name: file.name, frames: video.frames.length });
      ready.hidden = false;
      var saving = video.poster && window.BouclierThumbs
        ? window.BouclierThumbs.save(video.frames[0][2], video.poster) : Promise.resolve();
      return saving.then(function () {
        submit.disabled = false;
        form.dataset.state = "ready";
      });
    }).catch(function (error) {
      var code = (error && error.code) || "unreadable";
      var message = form.dataset["error" + code.replace(/(^|_)(\w)/g, function (w, s, c) {
        return c.toUpperCase();
      })];
      refuse(message || form.dataset.errorUnreadable);
      progress.hidden = true;
      form.dataset.state = "refused";
    }).finally(function () {
      input.disabled = false;
    });
  });

  form.addEventListener("submit", function (event) {
    if (!field.value) {
      event.preventDefault();
      refuse(form.dataset.none);
      input.focus();
    }
  });
})();
