// What every page needs, in one place (templates/base.html loads it before the page's own script):
// CSRF and JSON requests, polling with backoff, the emotion list the server renders, the face-box
// overlay, and the timeline chart of clips and live recordings. A page script only wires these to
// its elements. Copy buttons and confirm-before-submit forms work on every page by themselves.
"use strict";

document.documentElement.classList.add("js");

window.Facet = window.Facet || {};

(function () {
  const SVG = "http://www.w3.org/2000/svg";

  // Django's CSRF cookie; absent when CSRF_COOKIE_HTTPONLY is set, so fall back to the form token.
  Facet.csrfToken = function () {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  };

  // Fetches JSON from our own API with the session cookie; throws with the server's reason on error.
  Facet.getJSON = async function (url) {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) {
      const error = new Error(`HTTP ${response.status}`);
      error.status = response.status;
      throw error;
    }
    return response.json();
  };

  // Every row of a paginated list ({results, next}), following "next" to the end.
  Facet.getAllPages = async function (url) {
    const rows = [];
    while (url) {
      const page = await Facet.getJSON(url);
      rows.push(...page.results);
      url = page.next;
    }
    return rows;
  };

  // POSTs to our own API with the session cookie and the CSRF token: a FormData as it is, anything
  // else as JSON. Resolves to the Response (the caller reads its status, headers and body).
  Facet.post = function (url, body) {
    const headers = { "X-CSRFToken": Facet.csrfToken(), Accept: "application/json" };
    const form = body instanceof FormData;
    if (!form) headers["Content-Type"] = "application/json";
    return fetch(url, { method: "POST", credentials: "same-origin", headers, body: form ? body : JSON.stringify(body) });
  };

  // The first readable message in a DRF error body: {"detail": "..."} or {"file": ["..."]}.
  Facet.errorMessage = function (body, fallback) {
    if (!body || typeof body !== "object") return fallback;
    if (typeof body.detail === "string") return body.detail;
    for (const value of Object.values(body)) {
      if (typeof value === "string") return value;
      if (Array.isArray(value) && value.length && typeof value[0] === "string") return value[0];
    }
    return fallback;
  };

  // Calls the async `step` after `first` ms, then again and again, each wait `factor` times longer up
  // to `max` ms, so a forgotten tab does not keep hammering the server. `step` returns Facet.STOP
  // to end, Facet.SOON to go back to the first wait (things are moving); an error with status 404
  // (the item was deleted elsewhere) ends the polling, any other error waits and tries again.
  Facet.STOP = "stop";
  Facet.SOON = "soon";
  Facet.poll = function (step, { first = 1000, max = 10000, factor = 1.25 } = {}) {
    let delay = first;
    async function run() {
      let outcome;
      try {
        outcome = await step();
      } catch (err) {
        if (err.status === 404) return;
      }
      if (outcome === Facet.STOP) return;
      delay = outcome === Facet.SOON ? first : Math.min(max, Math.round(delay * factor));
      setTimeout(run, delay);
    }
    setTimeout(run, delay);
  };

  // Everything with a status updates itself, one way: an element with an id, data-status and
  // data-watch="<API URL answering {status, progress}>" is polled (Facet.poll, with backoff) while its
  // status is queued or processing. Its progress bar ([role=progressbar]) and [data-role=percent]
  // follow the answer's progress; once the status changes, the element is replaced by the server's
  // own rendering of it (this page fetched again in the background, never reloaded), so it looks the
  // same however it got there, and what it then holds is watched in turn. Blurred copies, annotated
  // copies and the account export use it; the upload rows and gallery badges poll the same way.
  Facet.ACTIVE = new Set(["queued", "processing"]);

  function showProgress(node, progress) {
    if (typeof progress !== "number") return;
    const percent = Math.round(progress * 100);
    node.querySelectorAll("[role=progressbar]").forEach((bar) => {
      bar.setAttribute("aria-valuenow", String(percent));
      const fill = bar.querySelector(".progress__fill");
      if (fill) fill.style.width = `${percent}%`;
    });
    node.querySelectorAll("[data-role=percent]").forEach((text) => { text.textContent = String(percent); });
  }

  // Replaces `node` with the element of the same id in this page as the server renders it now.
  Facet.refresh = async function (node) {
    const response = await fetch(location.href, { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (!response.ok) {
      const error = new Error(`HTTP ${response.status}`);
      error.status = response.status;
      throw error;
    }
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html").getElementById(node.id);
    if (!fresh) { node.remove(); return null; }
    const copy = document.importNode(fresh, true);
    node.replaceWith(copy);
    Facet.watchAll(copy);
    return copy;
  };

  Facet.watch = function (node) {
    if (!node.id || !node.dataset.watch || !window.fetch || !Facet.ACTIVE.has(node.dataset.status)) return;
    Facet.poll(async () => {
      const state = await Facet.getJSON(node.dataset.watch);
      showProgress(node, state.progress);
      if (state.status === node.dataset.status) return undefined;
      if (Facet.ACTIVE.has(state.status)) { node.dataset.status = state.status; return Facet.SOON; }
      await Facet.refresh(node);
      return Facet.STOP;
    }, { first: 1000, max: 10000, factor: 1.3 });
  };

  // `root` itself and every watched element inside it.
  Facet.watchAll = function (root) {
    if (root.matches && root.matches("[data-watch]")) Facet.watch(root);
    root.querySelectorAll("[data-watch]").forEach(Facet.watch);
  };
  // Scripts are deferred: the document is parsed when this runs.
  Facet.watchAll(document);

  // The emotion names in the model's order, from the JSON script the server renders on every page
  // ({% emotions_script %} in templates/base.html).
  let emotions = null;
  Facet.emotions = function () {
    if (!emotions) {
      const node = document.getElementById("facet-emotions");
      emotions = node ? JSON.parse(node.textContent) : [];
    }
    return emotions;
  };

  // Draws labelled face boxes in `layer` (positioned over the picture, the same size), replacing the
  // ones drawn before. faces: [{box: [x, y, w, h], emotion, confidence (0..1), number}] with boxes in
  // the pixels of a picture of `size` {width, height}; they are placed in percent of that size, so
  // they stay on the faces at any displayed size (phone, window resize, zoom) without redrawing.
  // Returns how many were drawn.
  Facet.drawFaces = function (layer, faces, size) {
    layer.querySelectorAll(":scope > .facebox").forEach((node) => node.remove());
    if (!size.width || !size.height) return 0;
    faces.forEach((face) => {
      const [x, y, w, h] = face.box;
      const percent = Math.round(face.confidence * 100);
      const box = document.createElement("div");
      box.className = `facebox emo-${face.emotion}`;
      box.style.left = `${(100 * x) / size.width}%`;
      box.style.top = `${(100 * y) / size.height}%`;
      box.style.width = `${(100 * w) / size.width}%`;
      box.style.height = `${(100 * h) / size.height}%`;
      // A face at the top edge has no room for the label above it.
      if (y / size.height < 0.08) box.classList.add("facebox--top");
      box.dataset.face = String(face.number);
      box.setAttribute("role", "img");
      // An uncertain face keeps its top emotion as the label, marked with "?" and a dashed box.
      if (face.uncertain) box.classList.add("facebox--uncertain");
      const doubt = face.uncertain ? ", uncertain" : "";
      box.setAttribute("aria-label", `Face ${face.number}: ${face.emotion}, ${percent} percent${doubt}`);
      const label = document.createElement("span");
      label.className = "facebox__label";
      label.textContent = `${face.number} · ${face.emotion} ${percent}%${face.uncertain ? " ?" : ""}`;
      box.append(label);
      layer.append(box);
    });
    Facet.placeLabels(layer);
    if (!layer.facetLabelsWatched && window.ResizeObserver) {
      // Labels keep their pixel size while the picture scales: place them again at each new size.
      new ResizeObserver(() => Facet.placeLabels(layer)).observe(layer);
      layer.facetLabelsWatched = true;
    }
    return faces.length;
  };

  // Places every box's label where it overlaps no other label and stays inside the picture, as near
  // as it can to its place above the box's left corner: above or below the box, a row further out,
  // inside its edges, or beside a label placed before; where every place is taken, the one
  // overlapping least. In the layer's pixels, so it holds at
  // every width; a label wider than the picture is cut with an ellipsis.
  Facet.placeLabels = function (layer) {
    const width = layer.clientWidth;
    const height = layer.clientHeight;
    if (!width || !height) return;
    const placed = [];
    const overlap = (a, b) =>
      Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x)) *
      Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
    const boxes = Array.from(layer.querySelectorAll(":scope > .facebox"));
    boxes.sort((a, b) => Number(a.dataset.face) - Number(b.dataset.face));
    // Other faces' boxes: a label over one hides that face (a narrow phone picture crowds them), so
    // covering one costs too, less than covering a label, more than moving away.
    const faces = boxes.map((box) => ({ box, x: box.offsetLeft, y: box.offsetTop, w: box.offsetWidth, h: box.offsetHeight }));
    boxes.forEach((box) => {
      const label = box.querySelector(".facebox__label");
      if (!label) return;
      label.style.maxWidth = `${width}px`;
      const bx = box.offsetLeft;
      const by = box.offsetTop;
      const lw = Math.min(label.offsetWidth, width);
      const lh = label.offsetHeight;
      const bw = box.offsetWidth;
      const bh = box.offsetHeight;
      const clampX = (x) => Math.min(Math.max(0, x), Math.max(0, width - lw));
      const clampY = (y) => Math.min(Math.max(0, y), Math.max(0, height - lh));
      // Rows above and below the box (nearest first) and just inside its edges; columns at its left
      // or right edge, or beside a label placed already.
      const rows = [by + 2, by + bh - lh - 2];
      for (let k = 0; k < 5; k += 1) rows.push(by - (k + 1) * (lh + 2), by + bh + 2 + k * (lh + 2));
      const columns = [bx - 3, bx + bw - lw + 3];
      placed.forEach((other) => columns.push(other.x + other.w + 2, other.x - lw - 2));
      const preferred = { x: clampX(bx - 3), y: clampY(by - lh - 2) };
      let best = null;
      let bestCost = Infinity;
      rows.forEach((row) => columns.forEach((column) => {
        const spot = { x: clampX(column), y: clampY(row), w: lw, h: lh };
        const covered = placed.reduce((sum, other) => sum + overlap(spot, other), 0);
        const hidden = faces.reduce((sum, face) => sum + (face.box === box ? 0 : overlap(spot, face)), 0);
        const cost = covered * 1000 + hidden * 20 + Math.abs(spot.x - preferred.x) + Math.abs(spot.y - preferred.y);
        if (cost < bestCost) { best = spot; bestCost = cost; }
      }));
      placed.push(best);
      // The label is the box's child: its place relative to the box (3 px: the box's border).
      label.style.left = `${best.x - bx - 3}px`;
      label.style.top = `${best.y - by - 3}px`;
      label.style.bottom = "auto";
      label.style.margin = "0";
      label.dataset.placed = "1";
    });
  };

  // m:ss (h:mm:ss past an hour) of a time in milliseconds.
  Facet.clock = function (ms) {
    const all = Math.max(0, Math.round(ms / 1000));
    const h = Math.floor(all / 3600), m = Math.floor((all % 3600) / 60), sec = String(all % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
  };

  // Tick times for an axis of `totalMs`: a round step (1 s ... 30 min) giving at most 6 ticks.
  Facet.ticks = function (totalMs) {
    const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600].map((s) => s * 1000);
    const step = steps.find((s) => totalMs / s <= 6) || Math.ceil(totalMs / 6);
    const out = [];
    for (let t = 0; t <= totalMs; t += step) out.push(t);
    return out;
  };

  // Each emotion's moving average over `windowMs` around every row (two pointers: linear time).
  function smoothed(rows, windowMs) {
    const names = Facet.emotions();
    const sums = Object.fromEntries(names.map((n) => [n, 0]));
    let lo = 0, hi = 0;
    return rows.map((row) => {
      while (hi < rows.length && rows[hi].timestamp_ms <= row.timestamp_ms + windowMs / 2) {
        names.forEach((n) => { sums[n] += rows[hi].probabilities[n]; });
        hi += 1;
      }
      while (rows[lo].timestamp_ms < row.timestamp_ms - windowMs / 2) {
        names.forEach((n) => { sums[n] -= rows[lo].probabilities[n]; });
        lo += 1;
      }
      const count = hi - lo;
      return { ...row, probabilities: Object.fromEntries(names.map((n) => [n, sums[n] / count])) };
    });
  }

  // One chart per person in `container`: each emotion's probability over time, as SVG paths drawn
  // like analysis/recordings.py's recording_timeline, with a 0-100% axis and a time axis in m:ss
  // (HTML beside the SVG, so the text keeps its size at any width). rows: the detections API's rows
  // ({timestamp_ms, track, probabilities}; rows without a track are frames without a face). A line
  // has a gap where the person was not seen for over `gapMs`. `shiftMs` moves every point right (a
  // live recording's per-second row is drawn at the middle of its second). A clip longer than
  // `smoothFromMs` is drawn smoothed (a moving average over a hundredth of it, at least 2 s) with a
  // button for the raw lines. With `onSeek(ms)`, a click on a chart calls it and each chart shows a
  // play head; the returned moveHead(ms) moves the heads.
  Facet.timeline = function (container, rows, options) {
    const {
      totalMs, shiftMs = 0, gapMs = 1000, width = 600, height = 90, onSeek = null, label = "over time",
      smoothFromMs = 60000,
    } = options;
    const total = Math.max(totalMs, 1);
    const x = (ms) => (width * (ms + shiftMs)) / total;
    const y = (p) => height - 4 - (height - 8) * p;
    const windowMs = Math.max(2000, total / 100);
    const canSmooth = total > smoothFromMs;
    let raw = !canSmooth;
    let heads = [];
    let lastHead = null;
    const tracks = Array.from(new Set(rows.filter((r) => r.track !== null).map((r) => r.track))).sort((a, b) => a - b);
    const byTrack = new Map(tracks.map((track) => [
      track, rows.filter((r) => r.track === track).sort((a, b) => a.timestamp_ms - b.timestamp_ms),
    ]));

    function axisX() {
      const axis = document.createElement("div");
      axis.className = "timeline__xaxis";
      axis.setAttribute("aria-hidden", "true");
      Facet.ticks(total).forEach((t) => {
        const tick = document.createElement("span");
        tick.style.left = `${(100 * t) / total}%`;
        tick.textContent = Facet.clock(t);
        axis.append(tick);
      });
      return axis;
    }

    function chart(track) {
      const mine = raw ? byTrack.get(track) : smoothed(byTrack.get(track), windowMs);
      const svg = document.createElementNS(SVG, "svg");
      svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
      svg.setAttribute("preserveAspectRatio", "none");
      svg.setAttribute("role", "img");
      const view = raw ? "" : `, smoothed over ${Math.round(windowMs / 1000)} s`;
      svg.setAttribute("aria-label", `Emotion probabilities of person ${track} ${label}${view}${onSeek ? "; click to seek" : ""}`);
      svg.classList.add("timeline__chart");
      [0, 0.5, 1].forEach((p) => {
        const grid = document.createElementNS(SVG, "line");
        grid.setAttribute("class", "timeline__grid");
        grid.setAttribute("x1", "0");
        grid.setAttribute("x2", String(width));
        grid.setAttribute("y1", y(p).toFixed(1));
        grid.setAttribute("y2", y(p).toFixed(1));
        svg.append(grid);
      });
      Facet.ticks(total).forEach((t) => {
        const grid = document.createElementNS(SVG, "line");
        grid.setAttribute("class", "timeline__grid");
        grid.setAttribute("x1", x(t - shiftMs).toFixed(1));
        grid.setAttribute("x2", x(t - shiftMs).toFixed(1));
        grid.setAttribute("y1", "0");
        grid.setAttribute("y2", String(height));
        svg.append(grid);
      });
      Facet.emotions().forEach((name) => {
        let d = "", last = -Infinity;
        mine.forEach((r) => {
          const command = r.timestamp_ms - last > gapMs ? "M" : "L";
          d += `${command}${x(r.timestamp_ms).toFixed(1)},${y(r.probabilities[name]).toFixed(1)}`;
          last = r.timestamp_ms;
        });
        const path = document.createElementNS(SVG, "path");
        path.setAttribute("d", d);
        path.setAttribute("class", `timeline__line emo-${name}`);
        svg.append(path);
      });
      if (onSeek) {
        const head = document.createElementNS(SVG, "line");
        head.setAttribute("class", "timeline__head");
        head.setAttribute("y1", "0");
        head.setAttribute("y2", String(height));
        svg.append(head);
        heads.push(head);
        svg.addEventListener("click", (event) => {
          const rect = svg.getBoundingClientRect();
          onSeek(Math.max(0, (total * (event.clientX - rect.left)) / rect.width));
        });
      }
      return svg;
    }

    function render() {
      container.textContent = "";
      heads = [];
      if (canSmooth && tracks.length) {
        const toggle = document.createElement("button");
        toggle.type = "button";
        toggle.className = "btn btn--small btn--ghost timeline__toggle";
        toggle.setAttribute("aria-pressed", String(raw));
        toggle.textContent = raw ? "Show smoothed lines" : "Show raw lines";
        toggle.addEventListener("click", () => { raw = !raw; render(); });
        container.append(toggle);
      }
      tracks.forEach((track) => {
        const figure = document.createElement("figure");
        figure.className = "timeline__track";
        const caption = document.createElement("figcaption");
        caption.className = "small";
        caption.textContent = `Person ${track}`;
        const plot = document.createElement("div");
        plot.className = "timeline__plot";
        const axisY = document.createElement("div");
        axisY.className = "timeline__yaxis";
        axisY.setAttribute("aria-hidden", "true");
        ["100%", "50%", "0%"].forEach((text) => {
          const tick = document.createElement("span");
          tick.textContent = text;
          axisY.append(tick);
        });
        const area = document.createElement("div");
        area.className = "timeline__area";
        area.append(chart(track), axisX());
        plot.append(axisY, area);
        figure.append(caption, plot);
        container.append(figure);
      });
      container.dataset.tracks = String(tracks.length);
      container.dataset.view = raw ? "raw" : "smoothed";
      if (lastHead !== null) handle.moveHead(lastHead);
    }

    const handle = {
      moveHead(ms) {
        lastHead = ms;
        const at = x(ms - shiftMs).toFixed(1);
        heads.forEach((head) => {
          head.setAttribute("x1", at);
          head.setAttribute("x2", at);
        });
      },
    };
    render();
    return handle;
  };

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-copy]");
    if (!button) return;
    const source = document.querySelector(button.dataset.copy);
    if (!source) return;
    source.select();
    const done = () => {
      const text = button.textContent;
      button.textContent = "Copied";
      setTimeout(() => { button.textContent = text; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.value).then(done, () => document.execCommand("copy") && done());
    } else if (document.execCommand("copy")) {
      done();
    }
  });

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });
})();
