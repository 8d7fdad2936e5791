/*
 * thumbnails.js: small previews of the victim's own pictures, made and kept on her device only.
 *
 * When portal.js has fingerprinted a picture, BouclierThumbs.save(pdq, file) draws a small JPEG
 * of it (at most 160 pixels a side) and keeps it in this browser's IndexedDB, keyed by the first
 * 16 characters of the picture's PDQ hash (the page never holds a whole hash). The case page
 * lists pictures by that key: each ".thumb[data-key]" shows
 * the preview found here, blurred until the person asks to see them; on another device there is
 * none, and the text says so. Nothing here sends anything anywhere: no request carries a preview.
 *
 *   BouclierThumbs.save(pdq, file) -> Promise (never rejects: a preview is a comfort, not a need)
 *   BouclierThumbs.load(key) -> Promise<Blob | null>   (key: the hash's first 16 characters)
 */
(function (global) {
  "use strict";
  var DB = "bouclier-thumbnails";
  var STORE = "thumbs";
  var SIDE = 160;
  var KEY = 16; // characters of the PDQ hash: bouclier.web.portal_view.THUMB_KEY

  function open() {
    return new Promise(function (resolve, reject) {
      if (!global.indexedDB) {
        reject(new Error("no IndexedDB"));
        return;
      }
      var request = global.indexedDB.open(DB, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE);
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function small(file) {
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close();
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.7); });
    });
  }

  function save(pdq, file) {
    return Promise.all([open(), small(file)]).then(function (both) {
      var db = both[0];
      return new Promise(function (resolve) {
        var tx = db.transaction(STORE, "readwrite");
        tx.objectStore(STORE).put({ blob: both[1], added: Date.now() }, pdq.slice(0, KEY));
        tx.oncomplete = function () { db.close(); resolve(true); };
        tx.onerror = tx.onabort = function () { db.close(); resolve(false); };
      });
    }).catch(function () { return false; });
  }

  function load(key) {
    return open().then(function (db) {
      return new Promise(function (resolve) {
        var request = db.transaction(STORE, "readonly").objectStore(STORE).get(key);
        request.onsuccess = function () {
          db.close();
          resolve(request.result && request.result.blob ? request.result.blob : null);
        };
        request.onerror = function () { db.close(); resolve(null); };
      });
    }).catch(function () { return null; });
  }

  function show() {
    var spots = document.querySelectorAll(".thumb[data-key]");
    var toggle = document.getElementById("thumbs-toggle");
    var shown = 0;
    var pending = Array.prototype.map.call(spots, function (spot) {
      var key = spot.getAttribute("data-key");
      if (!key) {
        return Promise.resolve();
      }
      return load(key).then(function (blob) {
        if (!blob) {
          return;
        }
        var img = document.createElement("img");
        img.src = URL.createObjectURL(blob);
        img.alt = "";
        img.className = "thumb-img";
        spot.textContent = "";
        spot.appendChild(img);
        spot.setAttribute("data-state", "local");
        shown += 1;
      });
    });
    Promise.all(pending).then(function () {
      document.body.setAttribute("data-thumbs", String(shown));
      if (toggle && shown > 0) {
        document.getElementById("thumbs-toggle-row").hidden = false;
        toggle.addEventListener("click", function () {
          var open = document.body.classList.toggle("thumbs-shown");
          toggle.setAttribute("aria-pressed", open ? "true" : "false");
          toggle.textContent = open ? toggle.dataset.hide : toggle.dataset.show;
        });
      }
    });
  }

  global.BouclierThumbs = { save: save, load: load };
  show();
})(window);
