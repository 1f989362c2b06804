// Clip detail page: boxes and labels over the playing video from the stored detections, and a
// timeline chart per person (SVG drawn here, no chart library) where a click seeks the video.
// Rows come from the paginated detections API; boxes are in the clip's pixels and placed in
// percent of its size, so they stay on the faces at any displayed size.
"use strict";

(function () {
  const dataNode = document.getElementById("media-data");
  if (!dataNode) return;
  const media = JSON.parse(dataNode.textContent);
  if (media.kind !== "video") return;
  const stage = document.getElementById("stage");
  const player = document.getElementById("player");
  const timeline = document.getElementById("timeline");
  const SVG = "http://www.w3.org/2000/svg";
  const EMOTIONS = media.emotions;

  // Sampled frames in time order: [{t, faces: [{track, box, emotion, probabilities}]}].
  let frames = [];

  async function loadRows() {
    const rows = [];
    let url = `${media.detections}?page_size=5000`;
    while (url) {
      const page = await Facet.getJSON(url);
      rows.push(...page.results);
      url = page.next;
    }
    const byFrame = new Map();
    rows.forEach((row) => {
      if (!byFrame.has(row.frame)) byFrame.set(row.frame, { t: row.timestamp_ms, faces: [] });
      if (row.track !== null) byFrame.get(row.frame).faces.push(row);
    });
    frames = Array.from(byFrame.values()).sort((a, b) => a.t - b.t);
    return rows;
  }

  // The last sampled frame at or before ms (binary search).
  function frameAt(ms) {
    let lo = 0, hi = frames.length - 1, found = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (frames[mid].t <= ms) { found = frames[mid]; lo = mid + 1; } else hi = mid - 1;
    }
    return found;
  }

  let shown = null;
  function drawBoxes() {
    if (!player || !media.width) return;
    const frame = frameAt(player.currentTime * 1000);
    if (frame === shown) return;
    shown = frame;
    stage.querySelectorAll(".facebox").forEach((node) => node.remove());
    (frame ? frame.faces : []).forEach((face) => {
      const [x, y, w, h] = face.box;
      const box = document.createElement("div");
      box.className = `facebox emo-${face.emotion}`;
      box.style.left = `${(100 * x) / media.width}%`;
      box.style.top = `${(100 * y) / media.height}%`;
      box.style.width = `${(100 * w) / media.width}%`;
      box.style.height = `${(100 * h) / media.height}%`;
      if (y / media.height < 0.08) box.classList.add("facebox--top");
      box.dataset.track = String(face.track);
      const label = document.createElement("span");
      label.className = "facebox__label";
      const confidence = Math.round(100 * face.probabilities[face.emotion]);
      label.textContent = `${face.track} · ${face.emotion} ${confidence}%`;
      box.append(label);
      stage.append(box);
    });
    stage.dataset.drawn = String(frame ? frame.faces.length : 0);
  }

  function durationMs() {
    if (player && Number.isFinite(player.duration) && player.duration > 0) return player.duration * 1000;
    if (media.duration_ms > 0) return media.duration_ms;
    return frames.length ? frames[frames.length - 1].t + 1 : 1;
  }

  const charts = [];
  function drawTimeline(rows) {
    if (!timeline) return;
    timeline.textContent = "";
    const width = 600, height = 90, total = durationMs();
    const tracks = Array.from(new Set(rows.filter((r) => r.track !== null).map((r) => r.track))).sort((a, b) => a - b);
    tracks.forEach((track) => {
      const mine = rows.filter((r) => r.track === track).sort((a, b) => a.timestamp_ms - b.timestamp_ms);
      const figure = document.createElement("figure");
      figure.className = "timeline__track";
      const caption = document.createElement("figcaption");
      caption.className = "small";
      caption.textContent = `Person ${track}`;
      const svg = document.createElementNS(SVG, "svg");
      svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
      svg.setAttribute("preserveAspectRatio", "none");
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", `Emotion probabilities of person ${track} over time; click to seek`);
      svg.classList.add("timeline__chart");
      const x = (ms) => (width * ms) / total;
      EMOTIONS.forEach((name) => {
        // A gap in the line where the person was not seen for over a second.
        let d = "", last = -Infinity;
        mine.forEach((r) => {
          const command = r.timestamp_ms - last > 1000 ? "M" : "L";
          d += `${command}${x(r.timestamp_ms).toFixed(1)},${(height - 4 - (height - 8) * r.probabilities[name]).toFixed(1)}`;
          last = r.timestamp_ms;
        });
        const path = document.createElementNS(SVG, "path");
        path.setAttribute("d", d);
        path.setAttribute("class", `timeline__line emo-${name}`);
        svg.append(path);
      });
      const head = document.createElementNS(SVG, "line");
      head.setAttribute("class", "timeline__head");
      head.setAttribute("y1", "0");
      head.setAttribute("y2", String(height));
      svg.append(head);
      svg.addEventListener("click", (event) => {
        if (!player) return;
        const rect = svg.getBoundingClientRect();
        const ms = (total * (event.clientX - rect.left)) / rect.width;
        player.currentTime = Math.max(0, ms / 1000);
        drawBoxes();
        moveHeads();
      });
      figure.append(caption, svg);
      timeline.append(figure);
      charts.push({ head, x });
    });
    timeline.dataset.tracks = String(tracks.length);
  }

  function moveHeads() {
    if (!player) return;
    charts.forEach(({ head, x }) => {
      const at = x(player.currentTime * 1000).toFixed(1);
      head.setAttribute("x1", at);
      head.setAttribute("x2", at);
    });
  }

  function tick() {
    drawBoxes();
    moveHeads();
    if (player && !player.paused) window.requestAnimationFrame(tick);
  }

  if (media.tracks && media.tracks.length && window.fetch) {
    loadRows().then((rows) => {
      drawTimeline(rows);
      drawBoxes();
      if (player) {
        ["play", "seeked", "timeupdate", "loadedmetadata"].forEach((type) => player.addEventListener(type, tick));
      }
    }).catch(() => { if (timeline) timeline.textContent = "The timeline could not be loaded."; });
  }

  // The annotated MP4 is made on request: poll until it is ready, then show its link.
  const annotated = document.getElementById("annotated");
  if (annotated && ["queued", "processing"].includes(annotated.dataset.status) && window.fetch) {
    const url = media.api + "annotated/";
    const poll = async () => {
      try {
        const state = await Facet.getJSON(url);
        if (state.status === "done" || state.status === "failed") { window.location.reload(); return; }
      } catch (err) {
        if (err.status === 404) return;
      }
      setTimeout(poll, 2000);
    };
    setTimeout(poll, 2000);
  }
})();
