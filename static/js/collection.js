// Collection page: a .zip dropped on (or chosen in) the archive form goes to the API, which answers
// with the items made and the members refused; the summary block is fetched again while items are
// analysed, so its numbers follow the tiles (gallery.js updates those).
"use strict";

(function () {
  const form = document.getElementById("archive-form");
  const result = document.getElementById("archive-result");

  function show(text, list) {
    result.replaceChildren();
    const p = document.createElement("p");
    p.textContent = text;
    result.append(p);
    if (list && list.length) {
      const ul = document.createElement("ul");
      list.slice(0, 50).forEach((entry) => {
        const li = document.createElement("li");
        li.textContent = `${entry.name}: ${entry.reason}`;
        ul.append(li);
      });
      result.append(ul);
    }
  }

  async function send(file) {
    if (!file) return;
    if (!/\.zip$/i.test(file.name)) {
      show(`${file.name} is not a .zip archive.`);
      return;
    }
    const body = new FormData();
    body.append("file", file);
    show(`Uploading ${file.name}…`);
    try {
      const response = await Facet.post(form.dataset.api, body);
      const data = await response.json().catch(() => ({}));
      if (response.status === 202) {
        const n = data.items.length;
        show(`${n} item${n === 1 ? "" : "s"} queued for analysis${data.rejected.length ? "; not taken:" : "."}`, data.rejected);
        refreshSoon();
      } else {
        show(Facet.errorMessage(data, `The archive was refused (HTTP ${response.status}).`));
      }
    } catch (err) {
      show("The upload failed; check the connection and try again.");
    }
  }

  if (form && window.fetch && window.FormData) {
    const input = form.querySelector("input[type=file]");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      send(input.files[0]);
    });
    ["dragenter", "dragover"].forEach((name) => form.addEventListener(name, (event) => {
      event.preventDefault();
      form.classList.add("dropzone--over");
    }));
    ["dragleave", "drop"].forEach((name) => form.addEventListener(name, () => form.classList.remove("dropzone--over")));
    form.addEventListener("drop", (event) => {
      event.preventDefault();
      send(event.dataTransfer.files[0]);
    });
  }

  // The server renders the summary (the same function as the API's summary), so the page and the
  // API always agree; while items are in progress the block is fetched again and swapped.
  let polling = false;
  async function refresh() {
    if (document.hidden) return undefined;
    const response = await fetch(location.href, { headers: { Accept: "text/html" }, credentials: "same-origin" });
    if (!response.ok) return undefined;
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = doc.getElementById("collection-summary");
    const current = document.getElementById("collection-summary");
    if (fresh && current) current.replaceWith(document.importNode(fresh, true));
    return fresh && fresh.dataset.status === "active" ? undefined : Facet.STOP;
  }
  function refreshSoon() {
    if (polling) return;
    polling = true;
    Facet.poll(async () => {
      const next = await refresh();
      if (next === Facet.STOP) polling = false;
      return next;
    }, { first: 2000, max: 15000, factor: 1.3 });
  }
  const summary = document.getElementById("collection-summary");
  if (summary && summary.dataset.status === "active" && window.fetch) refreshSoon();
})();
