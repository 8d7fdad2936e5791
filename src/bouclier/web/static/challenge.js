/*
 * challenge.js: the proof of work of the "open a case" form. The form carries a challenge signed
 * by the server (data-challenge, data-bits); this script finds an answer such that SHA-256 of
 * "challenge:answer" starts with that many zero bits (a few hundred ms at the default 18), puts it
 * in the hidden "answer" field and, if the person pressed the button meanwhile, sends the form once
 * it is ready. It costs a flood of fake cases real work, and a person nothing they notice.
 * Without JavaScript the form still works: the server then waits a few seconds (see
 * bouclier.cases.challenge). SHA-256 is written out here because crypto.subtle is asynchronous
 * and far too slow for hundreds of thousands of tiny digests. Loaded as a file (the CSP allows no
 * inline script).
 */
(function () {
  "use strict";
  var form = document.getElementById("new-case-form");
  var field = document.getElementById("challenge-answer");
  if (!form || !field || !form.dataset.challenge) {
    return;
  }
  var token = form.dataset.challenge;
  var bits = parseInt(form.dataset.bits, 10);
  var K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ]);
  var W = new Uint32Array(64);
  var H = new Uint32Array(8);
  var block = new Uint8Array(128);

  function rotr(x, n) {
    return (x >>> n) | (x << (32 - n));
  }

  /* The first 32 bits of SHA-256 of the ASCII text (at most 119 characters: two blocks). */
  function firstWord(text) {
    var length = text.length;
    var blocks = length + 9 <= 64 ? 1 : 2;
    block.fill(0);
    for (var i = 0; i < length; i++) {
      block[i] = text.charCodeAt(i);
    }
    block[length] = 0x80;
    var end = blocks * 64;
    var bitLength = length * 8;
    block[end - 4] = bitLength >>> 24;
    block[end - 3] = (bitLength >>> 16) & 0xff;
    block[end - 2] = (bitLength >>> 8) & 0xff;
    block[end - 1] = bitLength & 0xff;
    H[0] = 0x6a09e667; H[1] = 0xbb67ae85; H[2] = 0x3c6ef372; H[3] = 0xa54ff53a;
    H[4] = 0x510e527f; H[5] = 0x9b05688c; H[6] = 0x1f83d9ab; H[7] = 0x5be0cd19;
    for (var b = 0; b < blocks; b++) {
      var o = b * 64;
      for (var t = 0; t < 16; t++) {
        W[t] = (block[o + 4 * t] << 24) | (block[o + 4 * t + 1] << 16) |
          (block[o + 4 * t + 2] << 8) | block[o + 4 * t + 3];
      }
      for (t = 16; t < 64; t++) {
        var w15 = W[t - 15], w2 = W[t - 2];
        var s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >>> 3);
        var s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >>> 10);
        W[t] = (W[t - 16] + s0 + W[t - 7] + s1) | 0;
      }
      var a = H[0], c1 = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
      for (t = 0; t < 64; t++) {
        var S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        var ch = (e & f) ^ (~e & g);
        var t1 = (h + S1 + ch + K[t] + W[t]) | 0;
        var S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        var maj = (a & c1) ^ (a & c) ^ (c1 & c);
        var t2 = (S0 + maj) | 0;
        h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = c1; c1 = a; a = (t1 + t2) | 0;
      }
      H[0] += a; H[1] += c1; H[2] += c; H[3] += d; H[4] += e; H[5] += f; H[6] += g; H[7] += h;
    }
    return H[0];
  }

  var prefix = token + ":";
  var counter = 0;
  var sendWhenReady = false;
  var started = Date.now();
  form.dataset.state = "solving";

  function work() {
    var stop = counter + 20000;
    for (; counter < stop; counter++) {
      if (firstWord(prefix + counter) >>> (32 - bits) === 0) {
        field.value = String(counter);
        form.dataset.state = "ready";
        form.dataset.ms = String(Date.now() - started);
        if (sendWhenReady) {
          form.submit();
        }
        return;
      }
    }
    setTimeout(work, 0);
  }

  form.addEventListener("submit", function (event) {
    if (form.dataset.state !== "ready") {
      event.preventDefault();
      sendWhenReady = true;
    }
  });
  setTimeout(work, 0);
})();
