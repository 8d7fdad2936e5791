/*
 * md5.js: the MD5 digest of a file's bytes, in the browser (Web Crypto has no MD5).
 *
 * MD5 is broken as a security hash, but StopNCII and Take It Down exchange a video's MD5 as an
 * exact signal, so Bouclier keeps it beside the SHA-256. Written for Bouclier from RFC 1321.
 *
 *   BouclierMD5.digest(bytes: Uint8Array) -> "<32 hex>"
 * Nothing here sends anything anywhere.
 */
(function (global) {
  "use strict";

  const S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
  const K = new Int32Array(64);
  for (let i = 0; i < 64; i++) {
    K[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 4294967296) | 0;
  }

  function block(state, words) {
    let a = state[0], b = state[1], c = state[2], d = state[3];
    for (let i = 0; i < 64; i++) {
      const round = i >> 4;
      let f, g;
      if (round === 0) { f = (b & c) | (~b & d); g = i; }
      else if (round === 1) { f = (d & b) | (~d & c); g = (5 * i + 1) & 15; }
      else if (round === 2) { f = b ^ c ^ d; g = (3 * i + 5) & 15; }
      else { f = c ^ (b | ~d); g = (7 * i) & 15; }
      const shift = S[round * 4 + (i & 3)];
      const sum = (a + f + K[i] + words[g]) | 0;
      a = d; d = c; c = b;
      b = (b + ((sum << shift) | (sum >>> (32 - shift)))) | 0;
    }
    state[0] = (state[0] + a) | 0;
    state[1] = (state[1] + b) | 0;
    state[2] = (state[2] + c) | 0;
    state[3] = (state[3] + d) | 0;
  }

  function digest(bytes) {
    const state = new Int32Array([0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476]);
    const words = new Int32Array(16);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const whole = bytes.length - (bytes.length % 64);
    for (let at = 0; at < whole; at += 64) {
      for (let j = 0; j < 16; j++) { words[j] = view.getInt32(at + 4 * j, true); }
      block(state, words);
    }
    // the tail: the last bytes, 0x80, zeros, and the length in bits (little-endian, 64 bits)
    const rest = bytes.length - whole;
    const tail = new Uint8Array(rest < 56 ? 64 : 128);
    tail.set(bytes.subarray(whole));
    tail[rest] = 0x80;
    const tailView = new DataView(tail.buffer);
    const bits = bytes.length * 8;
    tailView.setUint32(tail.length - 8, bits >>> 0, true);
    tailView.setUint32(tail.length - 4, Math.floor(bits / 4294967296), true);
    for (let at = 0; at < tail.length; at += 64) {
      for (let j = 0; j < 16; j++) { words[j] = tailView.getInt32(at + 4 * j, true); }
      block(state, words);
    }
    let hex = "";
    for (let i = 0; i < 16; i++) {
      const byte = (state[i >> 2] >>> (8 * (i & 3))) & 0xff; // each word little-endian
      hex += byte.toString(16).padStart(2, "0");
    }
    return hex;
  }

  global.BouclierMD5 = Object.freeze({ digest: digest });
})(typeof window !== "undefined" ? window : globalThis);
