/*
 * pdq.js: PDQ perceptual hashes and SHA-256 digests of photos, made in the browser, so that a
 * picture is fingerprinted on the device of the person it shows and never uploaded.
 *
 * Written for Bouclier from the published PDQ algorithm (Meta's "pdqhash" paper, 2017):
 *   1. luminance Y = 0.299 R + 0.587 G + 0.114 B, computed in doubles and stored as 32-bit floats,
 *      exactly as the pdqhash package that Bouclier's server uses computes it;
 *   2. a Jarosz tent filter: two passes of a box filter along the rows, then the columns, with a
 *      window of ceil(side / 128) pixels, then decimation to 64 x 64 at the centres of the cells;
 *   3. quality: the sum of the quantised gradients of the 64 x 64 image, divided by 90, at most 100;
 *   4. the 16 x 16 lowest non-constant DCT coefficients of the 64 x 64 image (rows 1..16 of the
 *      DCT-II matrix), each bit set when its coefficient is above the median of the 256 (the lower
 *      median, as the reference's Torben selection returns);
 *   5. the hex form of threatexchange: bit 255 first, so it compares with Bouclier's hashes as is.
 * Arithmetic is rounded to 32-bit floats (Math.fround) where the reference uses floats, so that the
 * same pixels give the same bits (see tests/web/test_pdq_js.py).
 *
 * Reduction before hashing (a choice, kept in step with bouclier.hashing.hash_bytes): a large photo
 * is first reduced by an integer factor while its shorter side stays at least 512 pixels, by
 * averaging factor x factor blocks of pixels (the edge blocks average what they have). For a JPEG
 * the factor is the one the Python side reaches with libjpeg's DCT scaling (1/2, 1/4, 1/8) followed
 * by block averaging: dct * floor(factor / dct), dct being the largest of 8, 4, 2, 1 not above
 * factor; here it is all block averaging, which DCT scaling approximates. Reducing keeps the browser
 * hash close to the one the server would store for the same file (the 64 x 64 tent filter sees
 * nearly the same picture) and makes a 12 MP photo cheap: the filter runs on ~0.75 MP, and the
 * full-resolution pixels are read in strips of a few megabytes, never all at once.
 *
 * Decoding is the browser's (createImageBitmap): EXIF orientation applied ("from-image"), embedded
 * colour profiles ignored ("none", as Pillow ignores them on the server), transparency composited on
 * white (as Bouclier's decoder does). The SHA-256 is of the file's bytes (crypto.subtle, which needs
 * a secure context: https or localhost).
 *
 * API (global BouclierPDQ, no dependencies, no build step):
 *   await BouclierPDQ.hashFile(fileOrBlob)
 *       -> {pdq: "<64 hex>", quality: 0..100, sha256: "<64 hex>", width, height, ms}
 *   BouclierPDQ.hashPixels(rgba: Uint8ClampedArray, width, height) -> {pdq, quality}
 *       (pixels hashed as given, alpha ignored, no reduction)
 *   await BouclierPDQ.hashFiles(fileList, onProgress?) -> [result | {error: "message"}, ...]
 *       one file after the other; onProgress(done, total, result) after each; never throws for
 *       one bad file.
 * Nothing here sends anything anywhere.
 */
(function (global) {
  "use strict";

  const MIN_SIDE = 512;
  const MIN_HASHABLE_DIM = 5;
  const JAROSZ_PASSES = 2;
  const STRIP_PIXELS = 1 << 22; // pixels read from the canvas at a time (16 MB of RGBA)

  const f32 = Math.fround;

  // Rows 1..16 of the 64-point DCT-II matrix, scaled by sqrt(2 / 64), row-major 16 x 64.
  const DCT = (function () {
    const matrix = new Float32Array(16 * 64);
    const scale = f32(Math.sqrt(2 / 64)); // a float in the reference
    for (let i = 0; i < 16; i++) {
      for (let j = 0; j < 64; j++) {
        matrix[i * 64 + j] = scale * Math.cos((Math.PI / 2 / 64) * (i + 1) * (2 * j + 1));
      }
    }
    return matrix;
  })();

  // ---------------------------------------------------------------- luminance

  // As the pdqhash package (Bouclier's server side) computes it: in doubles, rounded once to float.
  function lumaOf(r, g, b) {
    return f32(r * 0.299 + g * 0.587 + b * 0.114);
  }

  function lumaFromRGBA(rgba, width, height) {
    const luma = new Float32Array(width * height);
    for (let i = 0, p = 0; i < luma.length; i++, p += 4) {
      luma[i] = lumaOf(rgba[p], rgba[p + 1], rgba[p + 2]);
    }
    return luma;
  }

  // ---------------------------------------------------------------- tent filter

  /** One box filter along a vector of `length` values `stride` apart, centred window. */
  function box1D(src, dst, start, length, stride, window) {
    const half = ((window + 2) / 2) | 0;
    const phase1 = half - 1;
    const phase2 = window - half + 1;
    const phase3 = length - window;
    const phase4 = half - 1;
    let li = start;
    let ri = start;
    let oi = start;
    let sum = 0;
    let n = 0;
    for (let i = 0; i < phase1; i++, ri += stride) {
      sum = f32(sum + src[ri]);
      n++;
    }
    for (let i = 0; i < phase2; i++, ri += stride, oi += stride) {
      sum = f32(sum + src[ri]);
      n++;
      dst[oi] = sum / n;
    }
    for (let i = 0; i < phase3; i++, li += stride, ri += stride, oi += stride) {
      sum = f32(f32(sum + src[ri]) - src[li]);
      dst[oi] = sum / n;
    }
    for (let i = 0; i < phase4; i++, li += stride, oi += stride) {
      sum = f32(sum - src[li]);
      n--;
      dst[oi] = sum / n;
    }
  }

  function windowSize(oldSide, newSide) {
    return ((oldSide + 2 * newSide - 1) / (2 * newSide)) | 0;
  }

  /** Blurs `a` in place (b is scratch of the same size): box rows then box columns, twice. */
  function jarosz(a, b, rows, cols) {
    const alongRows = windowSize(cols, 64);
    const alongCols = windowSize(rows, 64);
    for (let pass = 0; pass < JAROSZ_PASSES; pass++) {
      for (let i = 0; i < rows; i++) box1D(a, b, i * cols, cols, 1, alongRows);
      for (let j = 0; j < cols; j++) box1D(b, a, j, rows, cols, alongCols);
    }
  }

  function decimate(a, rows, cols) {
    const out = new Float32Array(64 * 64);
    for (let i = 0; i < 64; i++) {
      const ini = (((i + 0.5) * rows) / 64) | 0;
      for (let j = 0; j < 64; j++) {
        const inj = (((j + 0.5) * cols) / 64) | 0;
        out[i * 64 + j] = a[ini * cols + inj];
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- quality, DCT, bits

  function gradientStep(u, v) {
    return Math.abs(Math.trunc(f32(f32(f32(u - v) * 100) / 255)));
  }

  function quality64(a) {
    let sum = 0;
    for (let i = 0; i < 63; i++) {
      for (let j = 0; j < 64; j++) sum += gradientStep(a[i * 64 + j], a[(i + 1) * 64 + j]);
    }
    for (let i = 0; i < 64; i++) {
      for (let j = 0; j < 63; j++) sum += gradientStep(a[i * 64 + j], a[i * 64 + j + 1]);
    }
    return Math.min(100, Math.floor(sum / 90));
  }

  /** B = D A D^T, 16 x 16, with float accumulation as the reference does. */
  function dct16(a) {
    const t = new Float32Array(16 * 64);
    for (let i = 0; i < 16; i++) {
      for (let j = 0; j < 64; j++) {
        let sum = 0;
        for (let k = 0; k < 64; k++) sum = f32(sum + f32(DCT[i * 64 + k] * a[k * 64 + j]));
        t[i * 64 + j] = sum;
      }
    }
    const out = new Float32Array(256);
    for (let i = 0; i < 16; i++) {
      for (let j = 0; j < 16; j++) {
        let sum = 0;
        for (let k = 0; k < 64; k++) sum = f32(sum + f32(t[i * 64 + k] * DCT[j * 64 + k]));
        out[i * 16 + j] = sum;
      }
    }
    return out;
  }

  const HEX = "0123456789abcdef";

  /** Bit k = i * 16 + j is set when coefficient (i, j) is above the median; bit 255 first. */
  function toHex(coefficients) {
    const median = Float32Array.from(coefficients).sort()[127];
    let hex = "";
    for (let k = 255; k >= 3; k -= 4) {
      let nibble = 0;
      for (let b = 0; b < 4; b++) nibble = (nibble << 1) | (coefficients[k - b] > median ? 1 : 0);
      hex += HEX[nibble];
    }
    return hex;
  }

  /** PDQ of a float luminance image; `luma` is overwritten (it is the filter's buffer). */
  function hashLuma(luma, rows, cols) {
    if (rows < MIN_HASHABLE_DIM || cols < MIN_HASHABLE_DIM) {
      return { pdq: "0".repeat(64), quality: 0 };
    }
    jarosz(luma, new Float32Array(luma.length), rows, cols);
    const small = decimate(luma, rows, cols);
    return { pdq: toHex(dct16(small)), quality: quality64(small) };
  }

  function hashPixels(rgba, width, height) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
      throw new RangeError("width and height must be non-negative integers");
    }
    if (!rgba || rgba.length !== width * height * 4) {
      throw new RangeError(`expected ${width * height * 4} RGBA bytes for ${width}x${height}`);
    }
    return hashLuma(lumaFromRGBA(rgba, width, height), height, width);
  }

  // ---------------------------------------------------------------- files

  function hexOf(buffer) {
    const bytes = new Uint8Array(buffer);
    let hex = "";
    for (let i = 0; i < bytes.length; i++) hex += HEX[bytes[i] >> 4] + HEX[bytes[i] & 15];
    return hex;
  }

  function isJpeg(bytes) {
    return bytes.length > 2 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  }

  /** The integer reduction factor, as bouclier.hashing.hash_bytes reaches it (see the header). */
  function reductionFactor(width, height, jpeg) {
    const factor = Math.max(1, Math.floor(Math.min(width, height) / MIN_SIDE));
    if (!jpeg) return factor;
    const dct = [8, 4, 2, 1].find((s) => s <= factor);
    return dct * Math.floor(factor / dct);
  }

  function makeCanvas(width, height) {
    if (typeof OffscreenCanvas !== "undefined") return new OffscreenCanvas(width, height);
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    return canvas;
  }

  /**
   * The bitmap's luminance reduced by `factor`: RGB averaged over factor x factor blocks (on
   * white), rounded to 8 bits as Pillow's reduce does, then made luminance. The pixels are read
   * in strips of whole blocks.
   */
  function reducedLuma(bitmap, factor) {
    const width = bitmap.width;
    const height = bitmap.height;
    const outW = Math.ceil(width / factor);
    const outH = Math.ceil(height / factor);
    const stripRows = factor * Math.max(1, Math.floor(STRIP_PIXELS / (width * factor)));
    const canvas = makeCanvas(width, Math.min(stripRows, height));
    const ctx = canvas.getContext("2d", { alpha: false, willReadFrequently: true });
    ctx.imageSmoothingEnabled = false;
    const sums = new Uint32Array(outW * 3);
    const luma = new Float32Array(outW * outH);
    for (let y0 = 0; y0 < height; y0 += stripRows) {
      const rows = Math.min(stripRows, height - y0);
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, width, rows);
      ctx.drawImage(bitmap, 0, y0, width, rows, 0, 0, width, rows);
      const data = ctx.getImageData(0, 0, width, rows).data;
      for (let r0 = 0; r0 < rows; r0 += factor) {
        const blockRows = Math.min(factor, rows - r0);
        sums.fill(0);
        for (let r = r0; r < r0 + blockRows; r++) {
          let p = r * width * 4;
          for (let ox = 0, x = 0; ox < outW; ox++) {
            const end = Math.min(x + factor, width);
            let sr = 0;
            let sg = 0;
            let sb = 0;
            for (; x < end; x++, p += 4) {
              sr += data[p];
              sg += data[p + 1];
              sb += data[p + 2];
            }
            sums[ox * 3] += sr;
            sums[ox * 3 + 1] += sg;
            sums[ox * 3 + 2] += sb;
          }
        }
        const base = ((y0 + r0) / factor) * outW;
        for (let ox = 0; ox < outW; ox++) {
          const n = blockRows * (Math.min((ox + 1) * factor, width) - ox * factor);
          luma[base + ox] = lumaOf(
            Math.round(sums[ox * 3] / n),
            Math.round(sums[ox * 3 + 1] / n),
            Math.round(sums[ox * 3 + 2] / n),
          );
        }
      }
    }
    return { luma, rows: outH, cols: outW };
  }

  async function hashFile(file) {
    const start = performance.now();
    if (!(file instanceof Blob)) throw new TypeError("hashFile expects a File or a Blob");
    if (!global.crypto || !global.crypto.subtle) {
      throw new Error("crypto.subtle is unavailable (the page must be served over https)");
    }
    const buffer = await file.arrayBuffer();
    const digest = global.crypto.subtle.digest("SHA-256", buffer);
    let bitmap;
    try {
      bitmap = await createImageBitmap(file, {
        imageOrientation: "from-image",
        colorSpaceConversion: "none",
        premultiplyAlpha: "default",
      });
    } catch (error) {
      throw new Error(`not a readable image (${error && error.message ? error.message : error})`);
    }
    let result;
    try {
      const factor = reductionFactor(bitmap.width, bitmap.height, isJpeg(new Uint8Array(buffer)));
      const reduced = reducedLuma(bitmap, factor);
      result = hashLuma(reduced.luma, reduced.rows, reduced.cols);
      result.width = bitmap.width;
      result.height = bitmap.height;
    } finally {
      bitmap.close();
    }
    return {
      pdq: result.pdq,
      quality: result.quality,
      sha256: hexOf(await digest),
      width: result.width,
      height: result.height,
      ms: Math.round(performance.now() - start),
    };
  }

  async function hashFiles(fileList, onProgress) {
    const files = Array.from(fileList || []);
    const results = [];
    for (const file of files) {
      let result;
      try {
        result = await hashFile(file);
      } catch (error) {
        result = { error: String(error && error.message ? error.message : error) };
      }
      results.push(result);
      if (typeof onProgress === "function") {
        try {
          onProgress(results.length, files.length, result);
        } catch (_) {
          // a failing progress callback must not stop the hashing
        }
      }
    }
    return results;
  }

  global.BouclierPDQ = Object.freeze({
    hashFile,
    hashFiles,
    hashPixels,
    MIN_SIDE,
  });
})(typeof globalThis !== "undefined" ? globalThis : this);
