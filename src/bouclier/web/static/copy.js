/*
 * copy.js: "Copy" buttons next to a secret, a case number or an invitation code. The button
 * (hidden without JavaScript) copies the text of the element named by its data-copy, groups
 * joined as shown, and says "Copied". Falls back to selecting the text where the clipboard API
 * is refused, so that the person can copy it by hand.
 */
(function () {
  "use strict";
  document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target) {
      return;
    }
    var label = button.textContent;
    button.closest(".copy-row").hidden = false;
    button.addEventListener("click", function () {
      var text = target.textContent.replace(/\s+/g, "");
      function said() {
        button.textContent = button.dataset.done;
        button.setAttribute("data-state", "copied");
        setTimeout(function () { button.textContent = label; }, 4000);
      }
      function select() {
        var range = document.createRange();
        range.selectNodeContents(target);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
      }
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(said, select);
      } else {
        select();
      }
    });
  });
})();
