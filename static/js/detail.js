// Detail page: each face's box and label over the photo (Facet.drawFaces), in the stored image's
// pixels. While the item is still being analysed, the API is polled and the page reloads once it
// reaches a final state.
"use strict";

(function () {
  const stage = document.getElementById("stage");
  const dataNode = document.getElementById("media-data");
  if (!stage || !dataNode) return;
  const media = JSON.parse(dataNode.textContent);
  const img = stage.querySelector("img");

  function start() {
    // Prefer the stored size from the server: the displayed file may be a downscaled rendition.
    const size = { width: media.width || img.naturalWidth, height: media.height || img.naturalHeight };
    const faces = (media.faces || []).map((face, index) => ({ ...face, number: index + 1 }));
    stage.dataset.drawn = String(Facet.drawFaces(stage, faces, size));
  }
  // On error too: the boxes are placed from the stored size, so they can still be listed.
  // A clip's boxes follow the playing video instead (clip.js).
  if (media.kind !== "video" && img) {
    if (img.complete) start(); else { img.addEventListener("load", start); img.addEventListener("error", start); }
  }

  const ACTIVE = new Set(["queued", "processing"]);
  if (!ACTIVE.has(media.status) || !window.fetch) return;
  const progress = document.querySelector(".progress__fill");
  const statusBadge = document.getElementById("status-badge");
  Facet.poll(async () => {
    const item = await Facet.getJSON(media.api);
    if (!ACTIVE.has(item.status)) {
      window.location.reload();
      return Facet.STOP;
    }
    if (progress && typeof item.progress === "number") progress.style.width = `${Math.round(item.progress * 100)}%`;
    if (statusBadge) {
      statusBadge.className = `badge badge--${item.status}`;
      statusBadge.textContent = item.status;
    }
  });
})();
