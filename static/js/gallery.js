// Gallery: while any tile on this page is queued or processing, ask the API for its state and
// update the badges in place, so the user sees results arrive without reloading.
"use strict";

(function () {
  const grid = document.getElementById("tiles");
  if (!grid || !window.fetch) return;
  const apiTemplate = grid.dataset.api; // ".../api/media/00000000-0000-0000-0000-000000000000/"
  const placeholderId = "00000000-0000-0000-0000-000000000000";
  const ACTIVE = new Set(["queued", "processing"]);

  function activeTiles() {
    return Array.from(grid.querySelectorAll(".tile")).filter((tile) => ACTIVE.has(tile.dataset.status));
  }

  function setBadge(tile, item) {
    const status = tile.querySelector("[data-role=status]");
    status.className = `badge badge--${item.status}`;
    status.textContent = item.status;
    const summary = item.summary || {};
    const emotion = summary.dominant_emotion;
    const emo = tile.querySelector("[data-role=emotion]");
    if (emotion && emo) {
      emo.className = `badge badge--emotion emo-${emotion}`;
      emo.textContent = emotion;
      emo.hidden = false;
    }
    const faces = tile.querySelector("[data-role=faces]");
    if (faces && summary.face_count !== undefined && summary.face_count !== null && item.status === "done") {
      faces.textContent = summary.face_count === 1 ? "1 face" : `${summary.face_count} faces`;
      faces.hidden = false;
    }
    const bar = tile.querySelector("[data-role=progress]");
    if (bar && typeof item.progress === "number") {
      bar.querySelector(".progress__fill").style.width = `${Math.round(item.progress * 100)}%`;
      bar.setAttribute("aria-valuenow", String(Math.round(item.progress * 100)));
      bar.hidden = !ACTIVE.has(item.status);
    }
    tile.dataset.status = item.status;
  }

  // Start quick (a photo usually takes about a second) and back off for long queues, so a
  // forgotten tab does not keep hammering the server; back to quick when things are moving.
  async function step() {
    let moved = false;
    await Promise.all(activeTiles().map(async (tile) => {
      try {
        const item = await Facet.getJSON(apiTemplate.replace(placeholderId, tile.dataset.id));
        if (item.status !== tile.dataset.status) moved = true;
        setBadge(tile, item);
      } catch (err) {
        if (err.status === 404) tile.dataset.status = "gone"; // deleted elsewhere: stop asking
      }
    }));
    if (!activeTiles().length) return Facet.STOP;
    return moved ? Facet.SOON : undefined;
  }

  if (activeTiles().length) Facet.poll(step, { first: 1500, max: 15000, factor: 1.3 });
})();
