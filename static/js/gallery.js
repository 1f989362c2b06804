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
      const n = summary.face_count;
      faces.textContent = faces.dataset.noun === "person" ? `${n} ${n === 1 ? "person" : "people"}` : `${n} ${n === 1 ? "face" : "faces"}`;
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

  let polling = false;
  function watchActive() {
    if (polling || !activeTiles().length) return;
    polling = true;
    Facet.poll(async () => {
      const next = await step();
      if (next === Facet.STOP) polling = false;
      return next;
    }, { first: 1500, max: 15000, factor: 1.3 });
  }
  watchActive();

  // New items uploaded elsewhere (the API, another tab) appear at the top without a reload: on the
  // first page, the page itself is asked for again (same filters) and tiles it has that this one
  // lacks are put in front. The server renders them, so a tile looks the same however it arrived.
  const page = new URLSearchParams(location.search).get("page");
  const firstPage = !page || page === "1";
  async function lookForNew() {
    if (document.hidden) return undefined;
    const response = await fetch(location.href, { headers: { Accept: "text/html" }, credentials: "same-origin" });
    if (!response.ok) return undefined;
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = doc.getElementById("tiles");
    if (!fresh) return undefined;
    // The header's count as the server counts now, so it never says 17 items over 18 tiles.
    const count = document.getElementById("gallery-count");
    const freshCount = doc.getElementById("gallery-count");
    if (count && freshCount) count.textContent = freshCount.textContent;
    const known = new Set(Array.from(grid.querySelectorAll(".tile")).map((tile) => tile.dataset.id));
    const added = Array.from(fresh.querySelectorAll(".tile")).filter((tile) => !known.has(tile.dataset.id));
    added.reverse().forEach((tile) => grid.prepend(document.importNode(tile, true)));
    if (added.length) {
      document.getElementById("gallery-empty")?.remove();
      watchActive();
      return Facet.SOON;
    }
    return undefined;
  }
  if (firstPage && grid.dataset.watch !== undefined) Facet.poll(lookForNew, { first: 5000, max: 60000, factor: 1.5 });
})();
