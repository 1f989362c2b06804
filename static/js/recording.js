// A saved live recording's page: its per-second rows drawn with the same timeline chart as a clip's
// (Facet.timeline), each second's point at the middle of that second. The server's drawing of the
// same chart stays when the rows cannot be loaded.
"use strict";

(function () {
  const timeline = document.getElementById("timeline");
  if (!timeline || !timeline.dataset.rows || !window.fetch) return;
  Facet.getAllPages(`${timeline.dataset.rows}?page_size=5000`).then((rows) => {
    const totalMs = Number(timeline.dataset.durationMs) || 1;
    Facet.timeline(timeline, rows, { totalMs, shiftMs: 500, label: "per second of the live recording" });
  }).catch(() => {});
})();
