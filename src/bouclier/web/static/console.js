// The analyst console: reveal one evidence preview at a time, in place.
//
// Without this script a "Reveal" button posts its form (with the CSRF token) and the page comes
// back with that one preview revealed. With it, the same form is posted with fetch, asking for
// JSON; the answer names the revealed image, which replaces the blurred one, and any preview
// revealed before goes back to its blurred version. Nothing of the images is kept or logged here.
"use strict";

(function () {
  function blurAll(except) {
    document.querySelectorAll("figure.preview img[data-revealed]").forEach(function (img) {
      if (img === except) return;
      img.src = img.dataset.blurred;
      img.removeAttribute("data-revealed");
      var figure = img.closest("figure");
      var form = figure && figure.querySelector("form.reveal");
      if (form) form.hidden = false;
      var link = figure && figure.querySelector("a.blur-again");
      if (link) link.hidden = true;
    });
  }

  function reveal(form) {
    var figure = form.closest("figure");
    var img = figure.querySelector("img");
    var button = form.querySelector("button");
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (!response.ok) throw new Error("reveal refused: " + response.status);
        return response.json();
      })
      .then(function (answer) {
        blurAll(img);
        img.src = answer.src;
        img.dataset.revealed = "true";
        form.hidden = true;
        var link = figure.querySelector("a.blur-again");
        if (!link) {
          link = document.createElement("a");
          link.className = "blur-again";
          link.href = "#";
          link.textContent = form.dataset.blurLabel || "Blur again";
          form.parentNode.appendChild(link);
        }
        link.hidden = false;
      })
      .catch(function () {
        form.submit(); // the page without the script's help
      })
      .finally(function () {
        button.disabled = false;
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains("reveal")) return;
    event.preventDefault();
    reveal(form);
  });

  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("a.blur-again") : null;
    if (!link) return;
    event.preventDefault();
    blurAll(null);
  });
})();
