// Upload page: drag and drop or pick several photos; each is sent on its own to the REST API so one
// rejected file never holds back the others, and each row shows the server's verdict.
"use strict";

(function () {
  const form = document.getElementById("upload-form");
  if (!form || !window.fetch || !window.FormData) return; // the plain form POST still works
  const zone = document.getElementById("dropzone");
  const input = document.getElementById("id_file");
  const list = document.getElementById("filelist");
  const endpoint = form.dataset.api;
  const detailTemplate = form.dataset.detail; // ".../media/00000000-0000-0000-0000-000000000000/"
  const placeholderId = "00000000-0000-0000-0000-000000000000";
  // Two at a time: enough to keep the connection busy, few enough not to trip the per-user rate
  // limit with a burst, and responses arrive in a steady order the user can follow.
  const PARALLEL = 2;
  const queue = [];
  // The drop zone takes the keyboard focus and opens the picker; the hidden input needs no second stop.
  input.tabIndex = -1;
  let running = 0;

  function row(file) {
    const item = document.createElement("li");
    item.className = "filelist__item filelist__item--pending";
    // The thumbnail's slot is always there, so the row keeps its columns whatever it holds; the
    // picture in it shows only once it loads (never a broken-image icon).
    const slot = document.createElement("span");
    slot.className = "filelist__thumb";
    const thumb = document.createElement("img");
    thumb.alt = "";
    thumb.hidden = true;
    slot.append(thumb);
    if (file.type.startsWith("image/") && file.size < 25 * 1024 * 1024) {
      const url = URL.createObjectURL(file);
      thumb.onload = () => { thumb.hidden = false; URL.revokeObjectURL(url); };
      thumb.onerror = () => URL.revokeObjectURL(url);
      thumb.src = url;
    }
    const text = document.createElement("div");
    const name = document.createElement("div");
    name.className = "filelist__name";
    name.textContent = file.name;
    const msg = document.createElement("div");
    msg.className = "filelist__msg";
    msg.textContent = "Waiting…";
    text.append(name, msg);
    const badge = document.createElement("span");
    badge.className = "badge badge--queued";
    badge.textContent = "waiting";
    text.className = "filelist__text";
    item.append(slot, text, badge);
    list.prepend(item);
    return { item, msg, badge, thumb };
  }

  const ACTIVE = new Set(["queued", "processing"]);
  const counted = (item) => {
    const n = (item.summary || {}).face_count || 0;
    if (item.kind === "photo") return n === 1 ? "1 face" : `${n} faces`;
    return n === 1 ? "1 person" : `${n} people`;
  };

  // After the upload, the row follows its item to the end: the API's status word, then the face
  // count or the failure reason, and (for a clip) its poster once the worker has made it.
  function follow(view, url, href) {
    Facet.poll(async () => {
      const item = await Facet.getJSON(url);
      view.item.dataset.status = item.status;
      view.badge.className = `badge badge--${item.status}`;
      view.badge.textContent = item.status;
      const thumbnail = (item.summary || {}).thumbnail;
      if (thumbnail && view.thumb.hidden) {
        view.thumb.onload = () => { view.thumb.hidden = false; };
        view.thumb.src = thumbnail;
      }
      let text;
      if (item.status === "done") text = `Done: ${counted(item)}.`;
      else if (item.status === "failed") text = `Failed: ${item.error || "the analysis did not finish."}`;
      else if (item.status === "cancelled") text = "Cancelled.";
      else text = item.status === "processing" ? `Analysing… ${Math.round((item.progress || 0) * 100)}%` : "Queued for analysis.";
      view.msg.textContent = text + " ";
      const link = document.createElement("a");
      link.href = href;
      link.textContent = "View result";
      view.msg.append(link);
      return ACTIVE.has(item.status) ? undefined : Facet.STOP;
    }, { first: 1000, max: 10000, factor: 1.3 });
  }

  function settle(view, ok, message, href) {
    view.item.classList.remove("filelist__item--pending");
    view.item.classList.add(ok ? "filelist__item--accepted" : "filelist__item--rejected");
    view.item.dataset.result = ok ? "accepted" : "rejected";
    view.badge.className = "badge " + (ok ? "badge--done" : "badge--failed");
    view.badge.textContent = ok ? "accepted" : "rejected";
    view.msg.textContent = message;
    if (href) {
      const link = document.createElement("a");
      link.href = href;
      link.textContent = " View result";
      view.msg.append(link);
    }
  }

  async function send(file, view) {
    view.badge.className = "badge badge--processing";
    view.badge.textContent = "uploading";
    view.msg.textContent = "Uploading…";
    const body = new FormData();
    body.append("file", file, file.name);
    const everyFrame = form.querySelector("input[name=every_frame]");
    if (everyFrame && everyFrame.checked) body.append("every_frame", "true");
    const keepMedia = form.querySelector("select[name=keep_media]");
    if (keepMedia && keepMedia.value) body.append("keep_media", keepMedia.value);
    const collection = form.querySelector("select[name=collection]");
    if (collection && collection.value) body.append("collection", collection.value);
    let response;
    try {
      response = await Facet.post(endpoint, body);
    } catch (err) {
      settle(view, false, "Network error: the file did not reach the server. Try again.");
      return;
    }
    let data = null;
    try { data = await response.json(); } catch (err) { /* a proxy's HTML error page */ }
    if (response.status === 202 || response.status === 201) {
      const href = data && data.id ? detailTemplate.replace(placeholderId, data.id) : null;
      settle(view, true, "Accepted: analysis queued.", href);
      if (data && data.url && href) {
        view.badge.className = "badge badge--queued";
        view.badge.textContent = data.status || "queued";
        follow(view, data.url, href);
      }
    } else if (response.status === 429) {
      // The per-user upload limit: wait as long as the server asks (within reason) and send again,
      // so a large batch trickles through instead of failing halfway.
      const wait = parseInt(response.headers.get("Retry-After") || "", 10);
      if (wait > 0 && wait <= 120) {
        view.badge.className = "badge badge--queued";
        view.badge.textContent = "waiting";
        view.msg.textContent = `Upload limit reached; sending again in ${wait} s…`;
        setTimeout(() => { queue.unshift({ file, view }); pump(); }, wait * 1000);
      } else {
        settle(view, false, Facet.errorMessage(data, "Too many uploads in a short time. Wait a minute and try again."));
      }
    } else if (response.status === 403 || response.status === 401) {
      settle(view, false, "Your session expired. Log in again, then retry.");
    } else if (response.status === 413) {
      settle(view, false, "Rejected: the file is too large.");
    } else if (response.status >= 400 && response.status < 500) {
      settle(view, false, "Rejected: " + Facet.errorMessage(data, "the server did not accept this file."));
    } else {
      settle(view, false, `Server error (${response.status}). The file was not stored; try again later.`);
    }
  }

  function pump() {
    while (running < PARALLEL && queue.length) {
      const job = queue.shift();
      running += 1;
      send(job.file, job.view).finally(() => { running -= 1; pump(); });
    }
  }

  function add(files) {
    for (const file of files) queue.push({ file, view: row(file) });
    pump();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    add(input.files);
    input.value = "";
  });
  input.addEventListener("change", () => {
    add(input.files);
    input.value = "";
  });
  zone.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") { event.preventDefault(); input.click(); }
  });
  ["dragenter", "dragover"].forEach((type) => zone.addEventListener(type, (event) => {
    event.preventDefault();
    zone.classList.add("dropzone--over");
  }));
  ["dragleave", "drop"].forEach((type) => zone.addEventListener(type, () => zone.classList.remove("dropzone--over")));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) add(event.dataTransfer.files);
  });
  // A file dropped beside the zone would otherwise make the browser navigate away to it.
  window.addEventListener("dragover", (event) => event.preventDefault());
  window.addEventListener("drop", (event) => event.preventDefault());
})();
