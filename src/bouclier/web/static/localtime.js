/*
 * localtime.js: every <time datetime="..." data-local> of the page in the person's own time zone
 * and the page's language ("3 dic 2026, 9:31"), instead of the UTC time the server wrote (which
 * stays, without JavaScript, and becomes the element's title).
 */
(function () {
  "use strict";
  var lang = document.documentElement.lang || "en";
  var format;
  try {
    format = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });
  } catch (_) {
    return;
  }
  document.querySelectorAll("time[data-local][datetime]").forEach(function (el) {
    var moment = new Date(el.getAttribute("datetime"));
    if (isNaN(moment.getTime())) {
      return;
    }
    el.title = el.textContent;
    el.textContent = format.format(moment);
    el.setAttribute("data-local", "done");
  });
})();
