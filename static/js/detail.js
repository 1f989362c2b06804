// Detail page: draws each face's box and label over the photo. Boxes arrive in the stored image's
// pixels; they are placed in percent of that size, so they stay on the face at any displayed size
// (phone, window resize, zoom) without redrawing. While the item is still being analysed, the API
// is polled and the page reloads once it reaches a final state.
"use strict";

(function () {
  const stage = document.getElementById("stage");
  const dataNode = document.getElementById("media-data");
  if (!stage || !dataNode) return;
  const media = JSON.parse(dataNode.textContent);
  const img = stage.querySelector("img");

  function draw(faces) {
    stage.querySelectorAll(".facebox").forEach((node) => node.remove());
    // Prefer the stored size from the server: the displayed file may be a downscaled rendition.
    const width = media.width || img.naturalWidth;
    const height = media.height || img.naturalHeight;
    if (!width || !height) return;
    faces.forEach((face, index) => {
      const [x, y, w, h] = face.box;
      const box = document.createElement("div");
      box.className = `facebox emo-${face.emotion}`;
      box.style.left = `${(100 * x) / width}%`;
      box.style.top = `${(100 * y) / height}%`;
      box.style.width = `${(100 * w) / width}%`;
      box.style.height = `${(100 * h) / height}%`;
      // A face at the top edge has no room for the label above it.
      if (y / height < 0.08) box.classList.add("facebox--top");
      box.dataset.face = String(index + 1);
      const label = document.createElement("span");
      label.className = "facebox__label";
      label.textContent = `${index + 1} · ${face.emotion} ${Math.round(face.confidence * 100)}%`;
      box.append(label);
      box.setAttribute("role", "img");
      box.setAttribute("aria-label", `Face ${index + 1}: ${face.emotion}, ${Math.round(face.confidence * 100)} percent`);
      stage.append(box);
    });
    stage.dataset.drawn = String(faces.length);
  }

  function start() { draw(media.faces || []); }
  // On error too: the boxes are placed from the stored size, so they can still be listed.
  // A clip's boxes follow the playing video instead (clip.js).
  if (media.kind !== "video" && img) {
    if (img.complete) start(); else { img.addEventListener("load", start); img.addEventListener("error", start); }
  }

  const ACTIVE = new Set(["queued", "processing"]);
  if (!ACTIVE.has(media.status) || !window.fetch) return;
  const progress = document.querySelector(".progress__fill");
  const statusBadge = document.getElementById("status-badge");
  let delay = 1000;
  async function poll() {
    try {
      const item = await Facet.getJSON(media.api);
      if (!ACTIVE.has(item.status)) {
        window.location.reload();
        return;
      }
      if (progress && typeof item.progress === "number") progress.style.width = `${Math.round(item.progress * 100)}%`;
      if (statusBadge) {
        statusBadge.className = `badge badge--${item.status}`;
        statusBadge.textContent = item.status;
      }
    } catch (err) {
      if (err.status === 404) return; // deleted in another tab
    }
    delay = Math.min(10000, Math.round(delay * 1.25));
    setTimeout(poll, delay);
  }
  setTimeout(poll, delay);
})();
