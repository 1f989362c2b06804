// Clip detail page: boxes and labels over the playing video from the stored detections
// (Facet.drawFaces), and a timeline chart per person (Facet.timeline) where a click seeks the video.
// Rows come from the paginated detections API; boxes are in the clip's pixels.
"use strict";

(function () {
  const dataNode = document.getElementById("media-data");
  if (!dataNode) return;
  const media = JSON.parse(dataNode.textContent);
  if (media.kind !== "video") return;
  const stage = document.getElementById("stage");
  const player = document.getElementById("player");
  const timeline = document.getElementById("timeline");

  // Sampled frames in time order: [{t, faces: [{box, emotion, confidence, number}]}].
  let frames = [];

  function index(rows) {
    const byFrame = new Map();
    rows.forEach((row) => {
      if (!byFrame.has(row.frame)) byFrame.set(row.frame, { t: row.timestamp_ms, faces: [] });
      if (row.track === null) return;
      const confidence = row.probabilities[row.emotion];
      const face = { box: row.box, emotion: row.emotion, confidence, uncertain: row.uncertain, number: row.track };
      byFrame.get(row.frame).faces.push(face);
    });
    frames = Array.from(byFrame.values()).sort((a, b) => a.t - b.t);
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
    const size = { width: media.width, height: media.height };
    stage.dataset.drawn = String(Facet.drawFaces(stage, frame ? frame.faces : [], size));
  }

  function durationMs() {
    if (player && Number.isFinite(player.duration) && player.duration > 0) return player.duration * 1000;
    if (media.duration_ms > 0) return media.duration_ms;
    return frames.length ? frames[frames.length - 1].t + 1 : 1;
  }

  let chart = null;
  function redraw() {
    drawBoxes();
    if (chart && player) chart.moveHead(player.currentTime * 1000);
  }

  function tick() {
    redraw();
    if (player && !player.paused) window.requestAnimationFrame(tick);
  }

  function seek(ms) {
    player.currentTime = ms / 1000;
    redraw();
  }

  if (media.tracks && media.tracks.length && window.fetch) {
    Facet.getAllPages(`${media.detections}?page_size=5000`).then((rows) => {
      index(rows);
      if (timeline) chart = Facet.timeline(timeline, rows, { totalMs: durationMs(), onSeek: player ? seek : null });
      drawBoxes();
      if (player) {
        ["play", "seeked", "timeupdate", "loadedmetadata"].forEach((type) => player.addEventListener(type, tick));
      }
    }).catch(() => { if (timeline) timeline.textContent = "The timeline could not be loaded."; });
  }
  // The annotated MP4, made on request, shows itself when ready: #annotated is data-watch (facet.js).
})();
