/*
 * video.js: a video's vPDQ frame hashes and file digests, made in the browser, so that a video
 * is fingerprinted on the device of the person it shows and never uploaded.
 *
 * The file is read whole into memory (within the portal's size limit), its SHA-256 taken with Web
 * Crypto and its MD5 with md5.js; demux.js lists the video track's frames, WebCodecs'
 * VideoDecoder decodes them all, and the frame for mark k (k * secondsPerHash seconds: the rate
 * at which the server hashes a video it banks, or slower so that a long video gets at most the
 * 512 frames a bank keeps) is picked by the rule of Bouclier's server
 * (bouclier.media.video_worker): the first frame shown at or after the mark, less half a frame.
 * Each picked frame's luma plane is hashed by pdq.js at its decoded size (see lumaRGBA), as the
 * server hashes the decoded frame. The result has the reference vPDQ fields per frame: frame
 * number, quality, PDQ and time in seconds; hashes differ from the server's by a few bits.
 *
 *   await BouclierVideo.hashVideo(file, {maxBytes, maxSeconds, maxPixels, secondsPerHash}, onProgress?)
 *     -> {frames: [[frame, quality, pdq, seconds], ...], md5, sha256, duration, fps, width,
 *         height, codec, poster: Blob | null}
 *     onProgress(secondsDone, secondsTotal); a refusal rejects with an Error whose ``code`` is
 *     "too_big", "too_long", "too_many_pixels", "unsupported" (container or codec this browser
 *     cannot read), "no_webcodecs" or "unreadable".
 * Nothing here sends anything anywhere.
 */
(function (global) {
  "use strict";
  const POSTER_SIDE = 160;
  const QUEUE = 8; // encoded frames waiting in the decoder at most
  const MAX_FRAMES = 512; // frames a banked vPDQ value keeps (bouclier.signals.vpdq.MAX_FRAMES)

  function fail(code, message) {
    const error = new Error(message || code);
    error.code = code;
    return error;
  }

  function hexOf(buffer) {
    return Array.from(new Uint8Array(buffer), function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  // the average frame interval, in microseconds, as FFmpeg's average frame rate (the server's
  // fps) gives it: WebM's millisecond times (33, 33, 34 at 30 fps) would skew a median
  function averageStep(samples) {
    let first = Infinity, last = -Infinity;
    samples.forEach(function (s) { first = Math.min(first, s.time); last = Math.max(last, s.time); });
    return samples.length > 1 && last > first ? (last - first) / (samples.length - 1) : 1e6;
  }

  function drained(decoder) {
    return new Promise(function (resolve) {
      const timer = setTimeout(resolve, 50);
      decoder.addEventListener("dequeue", function () { clearTimeout(timer); resolve(); }, { once: true });
    });
  }

  // Bouclier's server hashes the RGB that FFmpeg makes of a frame (BT.601 by default), whose
  // PDQ luminance 0.299 R + 0.587 G + 0.114 B is the frame's own luma, stretched to 0-255 when it
  // is limited-range: so the luma plane, read as it is, gives the server's pixels but for
  // rounding, where drawing on a canvas would go through Chromium's colour conversion (another
  // matrix for HD, other chroma filtering: 10-20 bits off). Grey RGBA, for pdq.js.
  async function lumaRGBA(frame, width, height) {
    if (!frame.format || !/^(I420|I420A|I422|I444|NV12)$/.test(frame.format)) { return null; }
    const rect = { x: frame.visibleRect.x, y: frame.visibleRect.y, width: width, height: height };
    const options = { rect: rect };
    const buffer = new Uint8Array(frame.allocationSize(options));
    const layout = await frame.copyTo(buffer, options);
    const stride = layout[0].stride, offset = layout[0].offset;
    const full = frame.colorSpace && frame.colorSpace.fullRange;
    const rgba = new Uint8ClampedArray(width * height * 4);
    for (let y = 0; y < height; y++) {
      for (let x = 0, row = offset + y * stride, out = y * width * 4; x < width; x++, out += 4) {
        const luma = full ? buffer[row + x] : ((buffer[row + x] - 16) * 255) / 219;
        rgba[out] = rgba[out + 1] = rgba[out + 2] = luma;
        rgba[out + 3] = 255;
      }
    }
    return rgba;
  }

  async function hashVideo(file, limits, onProgress) {
    if (file.size > limits.maxBytes) { throw fail("too_big"); }
    if (!global.VideoDecoder || !global.EncodedVideoChunk) { throw fail("no_webcodecs"); }
    const bytes = new Uint8Array(await file.arrayBuffer());
    let track;
    try {
      track = global.BouclierDemux.open(bytes);
    } catch (error) {
      throw fail(error.code === "unsupported" ? "unsupported" : "unreadable", error.message);
    }
    if (track.width * track.height > limits.maxPixels) { throw fail("too_many_pixels"); }
    if (track.duration > limits.maxSeconds) { throw fail("too_long"); }
    const config = { codec: track.codec, optimizeForLatency: false };
    if (track.description) { config.description = track.description; }
    if (track.width && track.height) { config.codedWidth = track.width; config.codedHeight = track.height; }
    const support = await global.VideoDecoder.isConfigSupported(config).catch(function () { return { supported: false }; });
    if (!support.supported) { throw fail("unsupported", "this browser cannot decode " + track.codec); }

    const sha256 = hexOf(await global.crypto.subtle.digest("SHA-256", bytes));
    const md5 = global.BouclierMD5.digest(bytes);
    const step = averageStep(track.samples);
    const fps = 1e6 / step;
    const half = 0.5 / fps;
    // the bank's rate (limits.secondsPerHash), or slower for a long video: the bank keeps
    // MAX_FRAMES spread over it, so more would be hashed for nothing
    const every = Math.max(limits.secondsPerHash || 1, track.duration / MAX_FRAMES);
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true });
    const poster = document.createElement("canvas");
    const frames = [];
    let mark = 0, last = -1, width = 0, height = 0, problem = null, postered = false, pending = 0;

    // the frame's pixels for pdq.js: its luma plane when it has an 8-bit one, else drawn on the
    // canvas (see lumaRGBA); the first picked frame is also drawn small as the poster
    async function hashFrame(frame, number, time) {
      try {
        width = frame.visibleRect ? frame.visibleRect.width : frame.codedWidth;
        height = frame.visibleRect ? frame.visibleRect.height : frame.codedHeight;
        if (width * height > limits.maxPixels) { throw fail("too_many_pixels"); }
        let pixels = await lumaRGBA(frame, width, height);
        if (!pixels || !postered) {
          canvas.width = width;
          canvas.height = height;
          context.drawImage(frame, 0, 0, width, height);
          pixels = pixels || context.getImageData(0, 0, width, height).data;
        }
        const hash = global.BouclierPDQ.hashPixels(pixels, width, height);
        frames.push([number, hash.quality, hash.pdq, Math.round(time * 1000) / 1000]);
        if (!postered) {
          const scale = Math.min(1, POSTER_SIDE / Math.max(width, height));
          poster.width = Math.max(1, Math.round(width * scale));
          poster.height = Math.max(1, Math.round(height * scale));
          poster.getContext("2d").drawImage(canvas, 0, 0, poster.width, poster.height);
          postered = true;
        }
        if (onProgress) { onProgress(Math.min(time, track.duration), track.duration); }
      } catch (error) {
        problem = problem || error;
      } finally {
        frame.close();
      }
    }

    let work = Promise.resolve(); // picked frames, hashed one after the other in order
    function take(frame) {
      const time = frame.timestamp / 1e6;
      const number = Math.max(last + 1, Math.round(time * fps));
      last = number;
      if (problem || time + half < mark) {
        frame.close();
        return;
      }
      mark = (Math.floor((time + half) / every) + 1) * every;
      pending += 1;
      work = work.then(function () { return hashFrame(frame, number, time); })
        .then(function () { pending -= 1; });
    }

    const decoder = new global.VideoDecoder({
      output: take,
      error: function (error) { problem = problem || fail("unreadable", String(error && error.message)); },
    });
    decoder.configure(config);
    let started = false;
    for (const sample of track.samples) {
      if (problem) { break; }
      if (!started && !sample.key) { continue; } // decoding starts at a key frame
      started = true;
      while (decoder.decodeQueueSize > QUEUE || pending > 2) { await drained(decoder); }
      decoder.decode(new global.EncodedVideoChunk({
        type: sample.key ? "key" : "delta",
        timestamp: sample.time,
        data: bytes.subarray(sample.offset, sample.offset + sample.size),
      }));
    }
    if (!problem) {
      await decoder.flush().catch(function (error) { problem = problem || fail("unreadable", String(error)); });
    }
    await work;
    if (decoder.state !== "closed") { decoder.close(); }
    if (problem) { throw problem.code ? problem : fail("unreadable", String(problem)); }
    if (!frames.length) { throw fail("unreadable", "no frame could be decoded"); }
    const image = await new Promise(function (resolve) { poster.toBlob(resolve, "image/jpeg", 0.7); });
    return {
      frames: frames, md5: md5, sha256: sha256, duration: track.duration, fps: fps,
      width: width, height: height, codec: track.codec, poster: image,
    };
  }

  global.BouclierVideo = Object.freeze({ hashVideo: hashVideo });
})(window);
