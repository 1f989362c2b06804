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
    linkFacesToCards();
  }

  // Hovering, focusing or tapping a face's box highlights its probability card, and the other way
  // round, so "face 2" is never a guess in a group photo.
  let pinned = null;
  function highlight(number, on) {
    stage.querySelectorAll(`.facebox[data-face="${number}"]`).forEach((n) => n.classList.toggle("is-highlighted", on));
    document.getElementById(`face-${number}`)?.classList.toggle("is-highlighted", on);
  }
  function linkFacesToCards() {
    stage.classList.add("stage--interactive");
    stage.querySelectorAll(".facebox").forEach((box) => {
      const number = box.dataset.face;
      const card = document.getElementById(`face-${number}`);
      box.tabIndex = 0;
      box.setAttribute("role", "button"); // here a box does something: it pins its card
      box.setAttribute("aria-pressed", "false");
      const on = () => highlight(number, true);
      const off = () => { if (pinned !== number) highlight(number, false); };
      box.addEventListener("mouseenter", on);
      box.addEventListener("mouseleave", off);
      box.addEventListener("focus", on);
      box.addEventListener("blur", off);
      box.addEventListener("click", () => {
        if (pinned && pinned !== number) highlight(pinned, false);
        pinned = pinned === number ? null : number;
        highlight(number, pinned === number);
        stage.querySelectorAll(".facebox").forEach((n) => n.setAttribute("aria-pressed", String(n.dataset.face === pinned)));
        if (pinned && card) card.scrollIntoView({ block: "nearest", behavior: "smooth" });
      });
      if (card) {
        card.addEventListener("mouseenter", on);
        card.addEventListener("mouseleave", off);
        card.addEventListener("focusin", on);
        card.addEventListener("focusout", off);
      }
    });
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
    if (progress && typeof item.progress === "number") {
      const percent = Math.round(item.progress * 100);
      progress.style.width = `${percent}%`;
      progress.parentElement.setAttribute("aria-valuenow", String(percent)); // the bar's role=progressbar
    }
    if (statusBadge) {
      statusBadge.className = `badge badge--${item.status}`;
      statusBadge.textContent = item.status;
    }
  });
})();
