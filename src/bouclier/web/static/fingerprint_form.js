/*
 * fingerprint_form.js: what the case page's two fingerprinting forms share, the pictures' one
 * (portal.js) and the video's (portal_video.js). Each form's parts are found by one naming rule;
 * choosing files empties the form (nothing to send, no message left over), shows the progress and
 * disables the file input while the page's own script hashes them; a form sent with nothing
 * fingerprinted is stopped with its "none" words. Loaded before both, as a file (the
 * Content-Security-Policy allows no inline script). Nothing here sends anything.
 *
 *   BouclierFingerprintForm.find(prefix, inputId, fieldId) -> parts | null
 *       the form "<prefix>-form" and its "<prefix>-submit", "-progress", "-progress-bar",
 *       "-progress-text", "-ready", "-list" (null where there is none) and "-client-error"; the
 *       file input and the hidden field by their ids. null when the page has no such form.
 *   BouclierFingerprintForm.attach(parts, hash)   shows the form and wires it: hash(files) -> Promise
 *   BouclierFingerprintForm.show(parts, done, total)   the progress bar and its words (data-progress)
 *   BouclierFingerprintForm.refuse(parts, message)     the form's error line, shown
 *   BouclierFingerprintForm.fill(template, values) -> "{done} of {total}" with values put in
 */
(function (global) {
  "use strict";

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  function find(prefix, inputId, fieldId) {
    var form = document.getElementById(prefix + "-form");
    if (!form) {
      return null;
    }
    function part(name) {
      return document.getElementById(prefix + "-" + name);
    }
    return {
      form: form,
      input: document.getElementById(inputId),
      field: document.getElementById(fieldId),
      submit: part("submit"),
      progress: part("progress"),
      bar: part("progress-bar"),
      status: part("progress-text"),
      ready: part("ready"),
      list: part("list"),
      problem: part("client-error"),
    };
  }

  function show(parts, done, total) {
    parts.bar.max = Math.max(1, Math.round(total));
    parts.bar.value = Math.round(done);
    parts.status.textContent = fill(parts.form.dataset.progress, {
      done: Math.round(done), total: Math.round(total),
    });
  }

  function refuse(parts, message) {
    parts.problem.textContent = message;
    parts.problem.hidden = false;
  }

  function reset(parts) {
    parts.field.value = "";
    parts.submit.disabled = true;
    parts.ready.hidden = true;
    parts.problem.hidden = true;
    parts.problem.textContent = "";
    if (parts.list) {
      parts.list.textContent = "";
    }
  }

  function attach(parts, hash) {
    parts.form.hidden = false;
    parts.input.addEventListener("change", function () {
      reset(parts);
      var files = parts.input.files;
      if (!files || files.length === 0) {
        parts.progress.hidden = true;
        parts.form.dataset.state = "empty";
        return;
      }
      // every new choice starts over: "hashing" until the form's own code says "ready"/"refused"
      parts.form.dataset.state = "hashing";
      parts.progress.hidden = false;
      parts.input.disabled = true;
      hash(files).finally(function () {
        parts.input.disabled = false;
      });
    });
    parts.form.addEventListener("submit", function (event) {
      if (!parts.field.value) {
        event.preventDefault();
        refuse(parts, parts.form.dataset.none);
        parts.input.focus();
      }
    });
  }

  global.BouclierFingerprintForm = {
    find: find, attach: attach, show: show, refuse: refuse, fill: fill,
  };
})(window);
