/*
 * portal.js: the one step of the victim portal that needs JavaScript. The images chosen in the
 * "add images" form are fingerprinted on this device by pdq.js; only their hashes (PDQ, quality,
 * SHA-256) are put in the form's hidden field and sent. The file input has no name, so the files
 * are never part of the form. A small preview of each picture is kept in this browser's IndexedDB
 * (thumbnails.js), so that the case page shows pictures rather than hashes, on this device only.
 * What the form shares with the video's (its parts, progress, refusals, the empty-form guard) is
 * fingerprint_form.js's. Everything else in the portal is plain HTML forms.
 * Loaded as a file (the Content-Security-Policy allows no inline script).
 */
(function () {
  "use strict";
  var shared = window.BouclierFingerprintForm;
  var parts = shared && shared.find("hash", "hash-files", "hashes-field");
  if (!parts || !window.BouclierPDQ) {
    return;
  }
  var form = parts.form;

  function hash(files) {
    var total = files.length;
    shared.show(parts, 0, total);
    return window.BouclierPDQ.hashFiles(files, function (done) {
      shared.show(parts, done, total);
    }).then(function (results) {
      var hashes = [];
      var unreadable = [];
      var saving = []; // previews kept on this device (thumbnails.js), never sent
      results.forEach(function (result, index) {
        if (result && typeof result.pdq === "string") {
          hashes.push({ pdq: result.pdq, quality: result.quality, sha256: result.sha256 });
          var item = document.createElement("li");
          item.textContent = files[index].name;
          parts.list.appendChild(item);
          if (window.BouclierThumbs) {
            saving.push(window.BouclierThumbs.save(result.pdq, files[index]));
          }
        } else {
          unreadable.push(shared.fill(form.dataset.unreadable, { name: files[index].name }));
        }
      });
      if (unreadable.length > 0) {
        shared.refuse(parts, unreadable.join(" · "));
      }
      parts.field.value = hashes.length > 0 ? JSON.stringify(hashes) : "";
      parts.ready.hidden = hashes.length === 0;
      return Promise.all(saving).then(function () {
        parts.submit.disabled = hashes.length === 0;
        form.dataset.state = "ready";
      });
    });
  }

  shared.attach(parts, hash);
})();
