/*
 * demux.js: the video track of an MP4 or WebM file, as WebCodecs wants it, read in the browser.
 *
 * WebCodecs decodes encoded frames but does not open files: this finds the first video track of
 * an MP4/QuickTime file (moov > trak > mdia > minf > stbl sample tables, or the moof fragments
 * that MediaRecorder and streaming tools write) or of a WebM/Matroska file (EBML: Tracks, then Clusters of SimpleBlocks and
 * BlockGroups; laced blocks are not read), and lists its frames: where each lies in the file, its
 * presentation time in microseconds (the first frame shown at 0, as FFmpeg's demuxers give it to
 * Bouclier's server) and whether it is a key frame. Written for Bouclier from ISO/IEC 14496-12 and
 * the Matroska specification; a file it cannot read raises an Error whose ``code`` is
 * "unsupported" (a container or layout it does not read) or "unreadable" (a damaged file).
 *
 *   BouclierDemux.open(bytes: Uint8Array) -> {codec, description?, width, height, samples:
 *       [{offset, size, time, key}] in decoding order, duration (seconds), container}
 * Nothing here sends anything anywhere.
 */
(function (global) {
  "use strict";

  function fail(code, message) {
    const error = new Error(message);
    error.code = code;
    return error;
  }

  function hex2(n) { return n.toString(16).padStart(2, "0"); }
  function dec2(n) { return String(n).padStart(2, "0"); }

  // --- MP4 --------------------------------------------------------------------------------------

  function boxes(view, start, end) {
    const found = [];
    let at = start;
    while (at + 8 <= end) {
      let size = view.getUint32(at);
      const type = String.fromCharCode(
        view.getUint8(at + 4), view.getUint8(at + 5), view.getUint8(at + 6), view.getUint8(at + 7));
      let header = 8;
      if (size === 1) {
        if (at + 16 > end) { break; }
        size = view.getUint32(at + 8) * 4294967296 + view.getUint32(at + 12);
        header = 16;
      } else if (size === 0) {
        size = end - at;
      }
      if (size < header || at + size > end) { throw fail("unreadable", "a box runs past its parent"); }
      found.push({ type: type, start: at + header, end: at + size });
      at += size;
    }
    return found;
  }

  function child(view, box, type) {
    return boxes(view, box.start, box.end).find(function (b) { return b.type === type; });
  }

  function path(view, box, types) {
    let current = box;
    for (let i = 0; i < types.length && current; i++) { current = child(view, current, types[i]); }
    return current;
  }

  function table(view, box, fields) {  // a full box's entries: count, then `fields` u32 each
    if (!box) { return null; }
    const count = view.getUint32(box.start + 4);
    if (box.start + 8 + count * fields * 4 > box.end) { throw fail("unreadable", "short table"); }
    return { count: count, at: box.start + 8 };
  }

  function sampleEntry(view, stsd) {
    const entry = boxes(view, stsd.start + 8, stsd.end)[0];
    if (!entry) { throw fail("unreadable", "no sample description"); }
    const width = view.getUint16(entry.start + 24);
    const height = view.getUint16(entry.start + 26);
    const inner = { type: entry.type, start: entry.start + 78, end: entry.end };
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    let codec = null;
    let description;
    const avcC = child(view, inner, "avcC");
    const vpcC = child(view, inner, "vpcC");
    const av1C = child(view, inner, "av1C");
    if ((entry.type === "avc1" || entry.type === "avc3") && avcC) {
      description = bytes.slice(avcC.start, avcC.end);
      codec = "avc1." + hex2(description[1]) + hex2(description[2]) + hex2(description[3]);
    } else if (entry.type === "vp09" && vpcC) {
      const p = vpcC.start + 4; // after version and flags
      codec = "vp09." + dec2(bytes[p]) + "." + dec2(bytes[p + 1]) + "." + dec2(bytes[p + 2] >> 4);
    } else if (entry.type === "av01" && av1C) {
      const b1 = bytes[av1C.start + 1], b2 = bytes[av1C.start + 2];
      const depth = (b2 & 0x40) ? ((b2 & 0x20) ? 12 : 10) : 8;
      codec = "av01." + (b1 >> 5) + "." + dec2(b1 & 31) + ((b2 & 0x80) ? "H" : "M") + "." + dec2(depth);
      description = bytes.slice(av1C.start, av1C.end);
    }
    if (!codec) { throw fail("unsupported", "video codec " + entry.type + " is not read here"); }
    return { codec: codec, description: description, width: width, height: height };
  }

  function mp4Samples(view, stbl) {
    const stsz = child(view, stbl, "stsz");
    const count = stsz ? view.getUint32(stsz.start + 8) : 0;
    if (count === 0) { return null; } // a fragmented MP4: the samples are in its moof boxes
    const fixed = view.getUint32(stsz.start + 4);
    if (fixed === 0 && stsz.start + 12 + count * 4 > stsz.end) { throw fail("unreadable", "short stsz"); }
    const co64 = child(view, stbl, "co64");
    const chunks = table(view, co64 || child(view, stbl, "stco"), co64 ? 2 : 1);
    const stsc = table(view, child(view, stbl, "stsc"), 3);
    const stts = table(view, child(view, stbl, "stts"), 2);
    const cttsBox = child(view, stbl, "ctts");
    const ctts = table(view, cttsBox, 2);
    const stss = table(view, child(view, stbl, "stss"), 1);
    if (!chunks || !stsc || !stts) { throw fail("unreadable", "sample tables missing"); }
    const keys = stss ? new Set() : null;
    for (let i = 0; stss && i < stss.count; i++) { keys.add(view.getUint32(stss.at + 4 * i) - 1); }
    const samples = [];
    let n = 0;
    for (let s = 0; s < stsc.count && n < count; s++) {
      const first = view.getUint32(stsc.at + 12 * s) - 1;
      const perChunk = view.getUint32(stsc.at + 12 * s + 4);
      const last = s + 1 < stsc.count ? view.getUint32(stsc.at + 12 * (s + 1)) - 1 : chunks.count;
      for (let c = first; c < last && c < chunks.count && n < count; c++) {
        let offset = co64
          ? view.getUint32(chunks.at + 8 * c) * 4294967296 + view.getUint32(chunks.at + 8 * c + 4)
          : view.getUint32(chunks.at + 4 * c);
        for (let k = 0; k < perChunk && n < count; k++, n++) {
          const size = fixed || view.getUint32(stsz.start + 12 + 4 * n);
          samples.push({ offset: offset, size: size, time: 0, key: keys ? keys.has(n) : true });
          offset += size;
        }
      }
    }
    let dts = 0, at = 0;
    for (let e = 0; e < stts.count; e++) {
      const runs = view.getUint32(stts.at + 8 * e), delta = view.getUint32(stts.at + 8 * e + 4);
      for (let k = 0; k < runs && at < samples.length; k++, at++) { samples[at].time = dts; dts += delta; }
    }
    at = 0;
    for (let e = 0; ctts && e < ctts.count; e++) {
      const runs = view.getUint32(ctts.at + 8 * e), shift = view.getInt32(ctts.at + 8 * e + 4);
      for (let k = 0; k < runs && at < samples.length; k++, at++) { samples[at].time += shift; }
    }
    return { samples: samples, end: dts };
  }

  // A fragmented MP4 (what MediaRecorder and streaming tools write): each moof's traf of the
  // track lists its samples in trun boxes, with defaults in tfhd and in moov's trex.
  function fragmentSamples(view, top, trackId, trex) {
    const samples = [];
    let end = 0;
    top.filter(function (b) { return b.type === "moof"; }).forEach(function (moof) {
      boxes(view, moof.start, moof.end).filter(function (b) { return b.type === "traf"; }).forEach(function (traf) {
        const tfhd = child(view, traf, "tfhd");
        if (!tfhd || view.getUint32(tfhd.start + 4) !== trackId) { return; }
        const flags = view.getUint32(tfhd.start) & 0xffffff;
        let at = tfhd.start + 8, base = moof.start - 8; // default-base-is-moof
        if (flags & 0x1) { base = view.getUint32(at) * 4294967296 + view.getUint32(at + 4); at += 8; }
        if (flags & 0x2) { at += 4; }
        const duration = flags & 0x8 ? view.getUint32(at) : trex.duration; if (flags & 0x8) { at += 4; }
        const size = flags & 0x10 ? view.getUint32(at) : trex.size; if (flags & 0x10) { at += 4; }
        const sampleFlags = flags & 0x20 ? view.getUint32(at) : trex.flags;
        const tfdt = child(view, traf, "tfdt");
        let dts = tfdt ? (view.getUint8(tfdt.start) === 1
          ? view.getUint32(tfdt.start + 4) * 4294967296 + view.getUint32(tfdt.start + 8)
          : view.getUint32(tfdt.start + 4)) : end;
        boxes(view, traf.start, traf.end).filter(function (b) { return b.type === "trun"; }).forEach(function (trun) {
          const runFlags = view.getUint32(trun.start) & 0xffffff;
          const count = view.getUint32(trun.start + 4);
          let p = trun.start + 8, offset = base;
          if (runFlags & 0x1) { offset = base + view.getInt32(p); p += 4; }
          let firstFlags = null;
          if (runFlags & 0x4) { firstFlags = view.getUint32(p); p += 4; }
          for (let i = 0; i < count; i++) {
            if (p > trun.end) { throw fail("unreadable", "short trun"); }
            const d = runFlags & 0x100 ? view.getUint32((p += 4) - 4) : duration;
            const n = runFlags & 0x200 ? view.getUint32((p += 4) - 4) : size;
            let f = runFlags & 0x400 ? view.getUint32((p += 4) - 4) : sampleFlags;
            if (i === 0 && firstFlags !== null) { f = firstFlags; }
            const shift = runFlags & 0x800 ? view.getInt32((p += 4) - 4) : 0;
            samples.push({ offset: offset, size: n, time: dts + shift, key: ((f >>> 16) & 1) === 0 });
            offset += n;
            dts += d;
          }
        });
        end = Math.max(end, dts);
      });
    });
    if (!samples.length) { throw fail("unreadable", "no video frames"); }
    return { samples: samples, end: end };
  }

  function openMp4(bytes) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const top = boxes(view, 0, bytes.length);
    const moov = top.find(function (b) { return b.type === "moov"; });
    if (!moov) { throw fail("unreadable", "no moov box"); }
    const track = boxes(view, moov.start, moov.end).filter(function (b) { return b.type === "trak"; })
      .find(function (trak) {
        const hdlr = path(view, trak, ["mdia", "hdlr"]);
        return hdlr && String.fromCharCode.apply(null, bytes.subarray(hdlr.start + 8, hdlr.start + 12)) === "vide";
      });
    if (!track) { throw fail("unreadable", "no video track"); }
    const mdhd = path(view, track, ["mdia", "mdhd"]);
    const stbl = path(view, track, ["mdia", "minf", "stbl"]);
    if (!mdhd || !stbl || !child(view, stbl, "stsd")) { throw fail("unreadable", "no sample table"); }
    const timescale = view.getUint32(mdhd.start + (view.getUint8(mdhd.start) === 1 ? 20 : 12));
    if (!timescale) { throw fail("unreadable", "no time scale"); }
    const entry = sampleEntry(view, child(view, stbl, "stsd"));
    const tkhd = child(view, track, "tkhd");
    const trackId = tkhd ? view.getUint32(tkhd.start + (view.getUint8(tkhd.start) === 1 ? 20 : 12)) : 1;
    const trex = (function () {
      const found = path(view, moov, ["mvex"]) && boxes(view, path(view, moov, ["mvex"]).start,
        path(view, moov, ["mvex"]).end).find(function (b) {
        return b.type === "trex" && view.getUint32(b.start + 4) === trackId;
      });
      return found ? { duration: view.getUint32(found.start + 12), size: view.getUint32(found.start + 16),
        flags: view.getUint32(found.start + 20) } : { duration: 0, size: 0, flags: 0 };
    })();
    const found = mp4Samples(view, stbl) || fragmentSamples(view, top, trackId, trex);
    const first = Math.min.apply(null, found.samples.map(function (s) { return s.time; }));
    found.samples.forEach(function (s) { s.time = Math.round(((s.time - first) * 1e6) / timescale); });
    found.duration = found.end / timescale;
    found.samples.forEach(function (s) {
      if (s.offset + s.size > bytes.length) { throw fail("unreadable", "a frame lies past the end"); }
    });
    return Object.assign(entry, found, { container: "mp4" });
  }

  // --- WebM / Matroska ---------------------------------------------------------------------------

  const EBML = {
    SEGMENT: 0x18538067, INFO: 0x1549a966, TIMECODE_SCALE: 0x2ad7b1, TRACKS: 0x1654ae6b,
    TRACK_ENTRY: 0xae, TRACK_NUMBER: 0xd7, TRACK_TYPE: 0x83, CODEC_ID: 0x86,
    CODEC_PRIVATE: 0x63a2, VIDEO: 0xe0, PIXEL_WIDTH: 0xb0, PIXEL_HEIGHT: 0xba, CLUSTER: 0x1f43b675,
    TIMECODE: 0xe7, SIMPLE_BLOCK: 0xa3, BLOCK_GROUP: 0xa0, BLOCK: 0xa1, REFERENCE_BLOCK: 0xfb,
  };
  // masters walked into; their sizes may be unknown (a recording still being written)
  const MASTERS = new Set([EBML.SEGMENT, EBML.INFO, EBML.TRACKS, EBML.TRACK_ENTRY, EBML.VIDEO,
    EBML.CLUSTER, EBML.BLOCK_GROUP]);
  const CODECS = { V_VP8: "vp8", V_VP9: "vp09.00.10.08", V_AV1: "av01.0.08M.08" };

  function vint(bytes, at, keepMarker) {
    const first = bytes[at];
    if (first === undefined || first === 0) { throw fail("unreadable", "bad EBML number"); }
    const length = Math.clz32(first) - 23;
    if (at + length > bytes.length) { throw fail("unreadable", "EBML number past the end"); }
    let value = keepMarker ? first : first & (0xff >> length);
    let allOnes = value === (0xff >> length);
    for (let i = 1; i < length; i++) {
      value = value * 256 + bytes[at + i];
      allOnes = allOnes && bytes[at + i] === 0xff;
    }
    return { value: value, length: length, unknown: !keepMarker && allOnes };
  }

  function uint(bytes, start, end) {
    let value = 0;
    for (let i = start; i < end; i++) { value = value * 256 + bytes[i]; }
    return value;
  }

  // H.264 in Matroska without a codec header (as some recorders write it): the frames are then
  // Annex B (start codes, the SPS in the first key frame), which WebCodecs reads with no
  // description; the codec string comes from that SPS (profile, constraints, level). Anything
  // else (length-prefixed frames whose header is missing) cannot be read: refused, not guessed.
  function annexBCodec(bytes, first) {
    const at = first.offset, end = first.offset + first.size;
    // a 4-byte length prefix of 1 (00 00 00 01) is no key frame: only a start code begins so
    const startCode = bytes[at] === 0 && bytes[at + 1] === 0 &&
      (bytes[at + 2] === 1 || (bytes[at + 2] === 0 && bytes[at + 3] === 1));
    for (let i = at; startCode && i + 6 < end; i++) {
      if (bytes[i] === 0 && bytes[i + 1] === 0 && bytes[i + 2] === 1 && (bytes[i + 3] & 0x1f) === 7) {
        return "avc1." + hex2(bytes[i + 4]) + hex2(bytes[i + 5]) + hex2(bytes[i + 6]);
      }
    }
    throw fail("unsupported", "H.264 in WebM/Matroska without its codec header is not read here; save the video as MP4");
  }

  function openWebm(bytes) {
    const tracks = [];
    const blocks = [];
    let scale = 1000000, cluster = 0, at = 0;
    function block(start, end, simple) {
      const track = vint(bytes, start, false);
      const head = start + track.length;
      if (head + 3 > end) { throw fail("unreadable", "short block"); }
      const flags = bytes[head + 2];
      if (flags & 0x06) { throw fail("unsupported", "laced video blocks are not read here"); }
      const relative = (bytes[head] << 24 >> 16) | bytes[head + 1]; // signed 16 bits
      blocks.push({ track: track.value, offset: head + 3, size: end - head - 3,
        tick: cluster + relative, key: simple ? (flags & 0x80) !== 0 : true });
    }
    while (at < bytes.length) {
      const id = vint(bytes, at, true);
      const size = vint(bytes, at + id.length, false);
      const start = at + id.length + size.length;
      const end = size.unknown ? bytes.length : start + size.value;
      if (end > bytes.length && !MASTERS.has(id.value)) {
        if (id.value === EBML.CLUSTER || id.value === EBML.SIMPLE_BLOCK) { break; } // cut short
        throw fail("unreadable", "an element runs past the end");
      }
      const track = tracks[tracks.length - 1];
      switch (id.value) {
        case EBML.TIMECODE_SCALE: scale = uint(bytes, start, end); break;
        case EBML.TRACK_ENTRY: tracks.push({}); break;
        case EBML.TRACK_NUMBER: if (track) { track.number = uint(bytes, start, end); } break;
        case EBML.TRACK_TYPE: if (track) { track.type = uint(bytes, start, end); } break;
        case EBML.CODEC_ID:
          if (track) { track.codec = String.fromCharCode.apply(null, bytes.subarray(start, end)); }
          break;
        case EBML.CODEC_PRIVATE: if (track) { track.private = bytes.slice(start, end); } break;
        case EBML.PIXEL_WIDTH: if (track) { track.width = uint(bytes, start, end); } break;
        case EBML.PIXEL_HEIGHT: if (track) { track.height = uint(bytes, start, end); } break;
        case EBML.TIMECODE: cluster = uint(bytes, start, end); break;
        case EBML.SIMPLE_BLOCK: block(start, end, true); break;
        case EBML.BLOCK: block(start, end, false); break;
        case EBML.REFERENCE_BLOCK: if (blocks.length) { blocks[blocks.length - 1].key = false; } break;
        default: break;
      }
      at = MASTERS.has(id.value) ? start : end;
    }
    const video = tracks.find(function (t) { return t.type === 1; });
    if (!video) { throw fail("unreadable", "no video track"); }
    let codec = CODECS[video.codec], description;
    const mine = blocks.filter(function (b) { return b.track === video.number; });
    if (!mine.length) { throw fail("unreadable", "no video frames"); }
    if (video.codec === "V_MPEG4/ISO/AVC") {
      if (video.private && video.private.length >= 7 && video.private[0] === 1) {
        description = video.private; // the avcC record: frames are length-prefixed
        codec = "avc1." + hex2(description[1]) + hex2(description[2]) + hex2(description[3]);
      } else {
        codec = annexBCodec(bytes, mine[0]); // no description: WebCodecs reads Annex B
      }
    } else if (video.codec === "V_AV1" && video.private) {
      description = video.private;
    }
    if (!codec) { throw fail("unsupported", "video codec " + String(video.codec).slice(0, 20) + " is not read here"); }
    const first = Math.min.apply(null, mine.map(function (b) { return b.tick; }));
    const samples = mine.map(function (b) {
      return { offset: b.offset, size: b.size, time: Math.round(((b.tick - first) * scale) / 1000), key: b.key };
    });
    const times = samples.map(function (s) { return s.time; }).sort(function (a, b) { return a - b; });
    const step = times.length > 1 ? times[times.length - 1] / (times.length - 1) : 0;
    return { codec: codec, description: description, width: video.width || 0,
      height: video.height || 0, samples: samples, duration: (times[times.length - 1] + step) / 1e6,
      container: "webm" };
  }

  function open(bytes) {
    if (bytes.length >= 4 && bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) {
      return openWebm(bytes);
    }
    if (bytes.length >= 12 && String.fromCharCode.apply(null, bytes.subarray(4, 8)) === "ftyp") {
      return openMp4(bytes);
    }
    throw fail("unsupported", "not an MP4 or WebM file");
  }

  global.BouclierDemux = Object.freeze({ open: open });
})(typeof window !== "undefined" ? window : globalThis);
