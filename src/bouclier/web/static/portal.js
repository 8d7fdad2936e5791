/*
 * portal.js: the one step of the victim portal that needs JavaScript. The images chosen in the
 * "add images" form are fingerprinted on this device by pdq.js; only their hashes (PDQ, quality,
 * SHA-256) are put in the form's hidden field and sent. The file input has no name, so the files
 * are never part of the form. A small preview of each picture is kept in this browser's IndexedDB
 * (thumbnails.js), so that the case page shows pictures rather than hashes, on this device only.
 * Everything else in the portal is plain HTML forms.
 * Loaded as a file (the Content-Security-Policy allows no inline script).
 */
(function () {
  "use strict";
  var form = document.getElementById("hash-form");
  if (!form || !window.BouclierPDQ) {
    return;
  }
  var input = document.getElementById("hash-files");
  var field = document.getElementById("hashes-field");
  var submit = document.getElementById("hash-submit");
  var progress = document.getElementById("hash-progress");
  var bar = document.getElementById("hash-progress-bar");
  var status = document.getElementById("hash-progress-text");
  var ready = document.getElementById("hash-ready");
  var list = document.getElementById("hash-list");
  var problem = document.getElementById("hash-client-error");
  form.hidden = false;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  function reset() {
    field.value = "";
    submit.disabled = true;
    list.textContent = "";
    ready.hidden = true;
    problem.hidden = true;
    problem.textContent = "";
  }

  input.addEventListener("change", function () {
    reset();
    var files = input.files;
    if (!files || files.length === 0) {
      progress.hidden = true;
      return;
    }
    var total = files.length;
    progress.hidden = false;
    bar.max = total;
    bar.value = 0;
    status.textContent = fill(form.dataset.progress, { done: 0, total: total });
    input.disabled = true;
    window.BouclierPDQ.hashFiles(files, function (done) {
      bar.value = done;
      status.textContent = fill(form.dataset.progress, { done: done, total: total });
    }).then(function (results) {
      var hashes = [];
      var unreadable = [];
      var saving = []; // previews kept on this device (thumbnails.js), never sent
      results.forEach(function (result, index) {
        if (result && typeof result.pdq === "string") {
          hashes.push({ pdq: result.pdq, quality: result.quality, sha256: result.sha256 });
          var item = document.createElement("li");
          item.textContent = files[index].name;
          list.appendChild(item);
          if (window.BouclierThumbs) {
            saving.push(window.BouclierThumbs.save(result.pdq, files[index]));
          }
        } else {
          unreadable.push(fill(form.dataset.unreadable, { name: files[index].name }));
        }
      });
      if (unreadable.length > 0) {
        problem.textContent = unreadable.join(" · ");
        problem.hidden = false;
      }
      field.value = hashes.length > 0 ? JSON.stringify(hashes) : "";
      ready.hidden = hashes.length === 0;
      return Promise.all(saving).then(function () {
        submit.disabled = hashes.length === 0;
        form.dataset.state = "ready";
      });
    }).finally(function () {
      input.disabled = false;
    });
  });

  form.addEventListener("submit", function (event) {
    if (!field.value) {
      event.preventDefault();
      problem.textContent = form.dataset.none;
      problem.hidden = false;
      input.focus();
    }
  });
})();
