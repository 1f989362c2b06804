// Live page: camera frames -> POST /api/live/ -> boxes over the video and a rolling 30 s chart.
// At most one frame is in flight per tab: a tick that finds one in flight drops its frame, so a slow
// server never builds a queue and one user cannot starve the workers.
"use strict";

(function () {
  const root = document.getElementById("live");
  if (!root) return;

  const EMOTIONS = Facet.emotions();
  const WINDOW_MS = 30_000;
  const TICK_MS = 100; // try up to 10 frames a second; the round trip sets the real rate
  const api = root.dataset.api;
  const maxSide = Number(root.dataset.maxSide) || 640;

  const video = document.getElementById("live-video");
  const stage = document.getElementById("live-stage");
  const boxes = document.getElementById("live-boxes");
  const status = document.getElementById("live-status");
  const startButton = document.getElementById("live-start");
  const stopButton = document.getElementById("live-stop");
  const chart = document.getElementById("live-chart");
  const legend = document.getElementById("live-legend");
  const grab = document.createElement("canvas");

  const colours = {};
  const css = getComputedStyle(document.documentElement);
  for (const name of EMOTIONS) {
    colours[name] = css.getPropertyValue(`--emo-${name}`).trim() || "#888";
    const item = document.createElement("li");
    item.style.setProperty("--emo", colours[name]);
    item.innerHTML = "<i></i>";
    item.append(name);
    legend.append(item);
  }

  let stream = null;
  let timer = null;
  let inFlight = false;
  let pausedUntil = 0;
  let samples = []; // {t, probabilities} of the most confident face, newest last
  let answered = 0;
  let started = 0;
  const recording = new Map(); // second -> {frames, faces, sums}

  function setStatus(text) {
    status.textContent = text;
  }

  // Why the camera did not start, in the page's main area with what to check (not only the status
  // line): the browser's error name says which of the checks comes first.
  const PROBLEMS = {
    NotAllowedError: "Camera access was refused",
    SecurityError: "Camera access was refused",
    NotFoundError: "No camera was found",
    OverconstrainedError: "No camera was found",
    NotReadableError: "The camera is in use or could not be read",
    AbortError: "The camera is in use or could not be read",
    insecure: "The camera needs a secure page",
    unsupported: "This browser cannot use a camera",
  };
  function showProblem(kind, reason) {
    const box = document.getElementById("live-problem");
    document.getElementById("live-problem-title").textContent = PROBLEMS[kind] || "The camera could not start";
    document.getElementById("live-problem-reason").textContent = reason;
    box.hidden = false;
    setStatus(`${PROBLEMS[kind] || "The camera could not start"}.`);
  }

  async function start() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      if (window.isSecureContext) showProblem("unsupported", "This browser offers no camera to web pages.");
      else showProblem("insecure", "Open the site over https:// (or on 127.0.0.1) to use the camera.");
      return;
    }
    startButton.disabled = true;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 } }, audio: false });
    } catch (error) {
      startButton.disabled = false;
      showProblem(error.name, `The browser said: ${error.message || error.name}.`);
      return;
    }
    document.getElementById("live-problem").hidden = true;
    video.srcObject = stream;
    await video.play().catch(() => {});
    stage.classList.add("is-running");
    startButton.hidden = true;
    startButton.disabled = false;
    stopButton.hidden = false;
    started = performance.now();
    answered = 0;
    setStatus("Camera on; analysing…");
    timer = setInterval(tick, TICK_MS);
  }

  function stop() {
    clearInterval(timer);
    timer = null;
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    video.srcObject = null;
    stage.classList.remove("is-running");
    boxes.replaceChildren();
    stage.dataset.faces = "0";
    stopButton.hidden = true;
    startButton.hidden = false;
    setStatus("Camera off.");
  }

  // The current picture as a JPEG no larger than maxSide x maxSide, and the size it was sent at.
  function frame() {
    const scale = Math.min(1, maxSide / video.videoWidth, maxSide / video.videoHeight);
    grab.width = Math.max(1, Math.round(video.videoWidth * scale));
    grab.height = Math.max(1, Math.round(video.videoHeight * scale));
    grab.getContext("2d").drawImage(video, 0, 0, grab.width, grab.height);
    const size = { width: grab.width, height: grab.height };
    return new Promise((resolve) => grab.toBlob((blob) => resolve({ blob, size }), "image/jpeg", 0.8));
  }

  async function tick() {
    // Drop this frame rather than queue it behind the one still in flight.
    if (inFlight || !stream || video.readyState < 2 || !video.videoWidth) return;
    // Nobody looks at a hidden tab: send nothing rather than keep a worker busy.
    if (document.hidden || performance.now() < pausedUntil) return;
    inFlight = true;
    try {
      const { blob, size } = await frame();
      if (!blob) return;
      const body = new FormData();
      body.append("file", blob, "frame.jpg");
      const response = await Facet.post(api, body);
      if (!stream) return; // stopped while waiting
      if (response.ok) {
        const reply = await response.json();
        answered += 1;
        show(reply.faces, size);
        remember(reply.faces);
        const fps = answered / ((performance.now() - started) / 1000);
        const ms = reply.timings_ms && reply.timings_ms.round_trip_ms;
        const n = reply.faces.length;
        setStatus(`${n} ${n === 1 ? "face" : "faces"} · ${fps.toFixed(1)} frames/s${ms ? ` · ${Math.round(ms)} ms` : ""}`);
      } else {
        const retry = Number(response.headers.get("Retry-After")) || 1;
        pausedUntil = performance.now() + retry * 1000;
        const reason = await response.json().catch(() => null);
        if (response.status === 503) setStatus(`The server is busy; trying again in ${retry} s.`);
        else if (response.status === 429) setStatus(`Too many frames; pausing ${retry} s.`);
        else setStatus(Facet.errorMessage(reason, `The server refused the frame (HTTP ${response.status}).`));
      }
    } catch (error) {
      pausedUntil = performance.now() + 1000;
      setStatus("The connection failed; retrying.");
    } finally {
      inFlight = false;
    }
  }

  // Boxes are in the sent frame's pixels; the boxes' layer covers the video exactly.
  function show(faces, size) {
    const numbered = faces.map((face, index) => ({ ...face, number: index + 1 }));
    stage.dataset.faces = String(Facet.drawFaces(boxes, numbered, size));
  }

  function remember(faces) {
    const now = performance.now();
    const top = faces.reduce((best, face) => (!best || face.confidence > best.confidence ? face : best), null);
    samples.push({ t: now, probabilities: top ? top.probabilities : null });
    samples = samples.filter((sample) => now - sample.t <= WINDOW_MS);
    const second = Math.floor((now - started) / 1000);
    const bucket = recording.get(second) || { frames: 0, faces: 0, withFace: 0, sums: {} };
    bucket.frames += 1;
    bucket.faces = Math.max(bucket.faces, faces.length);
    if (top) {
      bucket.withFace += 1;
      for (const name of EMOTIONS) bucket.sums[name] = (bucket.sums[name] || 0) + (top.probabilities[name] || 0);
    }
    recording.set(second, bucket);
    document.getElementById("live-save").disabled = false;
    draw(now);
  }

  function draw(now) {
    const context = chart.getContext("2d");
    const { width, height } = chart;
    // The canvas is scaled to its box: text sized in canvas pixels shrinks on a phone. Size it so
    // that it is shown at 12 CSS pixels at any width (never under 11, the issue's floor).
    const scale = chart.clientWidth ? width / chart.clientWidth : 1;
    const fontPx = Math.ceil(12 * scale);
    const pad = Math.max(24, Math.ceil(fontPx * 2.2));
    chart.dataset.labelPx = String(fontPx / scale);
    context.clearRect(0, 0, width, height);
    context.strokeStyle = "rgba(128,128,128,0.35)";
    context.fillStyle = css.getPropertyValue("--muted").trim() || "#777";
    context.font = `${fontPx}px system-ui, sans-serif`;
    context.lineWidth = 1;
    for (const level of [0, 0.5, 1]) {
      const y = pad + (1 - level) * (height - 2 * pad);
      context.beginPath();
      context.moveTo(pad, y);
      context.lineTo(width - 4, y);
      context.stroke();
      context.fillText(`${level * 100}%`, 0, y - 2);
    }
    context.fillText("−30 s", pad, height - 6);
    context.fillText("now", width - 4 - context.measureText("now").width, height - 6);
    context.lineWidth = 2;
    for (const name of EMOTIONS) {
      context.strokeStyle = colours[name];
      context.beginPath();
      let drawing = false;
      for (const sample of samples) {
        if (!sample.probabilities) {
          drawing = false; // a gap where no face was seen
          continue;
        }
        const x = pad + (1 - (now - sample.t) / WINDOW_MS) * (width - pad - 4);
        const y = pad + (1 - sample.probabilities[name]) * (height - 2 * pad);
        if (drawing) context.lineTo(x, y);
        else context.moveTo(x, y);
        drawing = true;
      }
      context.stroke();
    }
  }

  // Per-second summary of this session (no pictures), for "Save recording".
  Facet.liveRecording = function () {
    const seconds = [...recording.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([second, bucket]) => ({
        t: second,
        frames: bucket.frames,
        faces: bucket.faces,
        probabilities: bucket.withFace
          ? Object.fromEntries(EMOTIONS.map((name) => [name, bucket.sums[name] / bucket.withFace]))
          : null,
      }));
    return { seconds };
  };
  Facet.liveRecordingClear = function () {
    recording.clear();
    started = performance.now();
    answered = 0;
  };

  const saveButton = document.getElementById("live-save");
  const saved = document.getElementById("live-saved");

  async function save() {
    const summary = Facet.liveRecording();
    if (!summary.seconds.length) return;
    saveButton.disabled = true;
    try {
      const response = await Facet.post(root.dataset.save, summary);
      const reply = await response.json().catch(() => null);
      if (response.status !== 201) {
        saved.textContent = Facet.errorMessage(reply, `Could not save (HTTP ${response.status}).`);
        return;
      }
      Facet.liveRecordingClear();
      saved.textContent = "Saved. ";
      const link = document.createElement("a");
      link.href = reply.url;
      link.id = "live-saved-link";
      link.textContent = `View the recording (${summary.seconds.length} s)`;
      saved.append(link);
    } catch (error) {
      saved.textContent = "Could not save: the connection failed.";
    } finally {
      saveButton.disabled = recording.size === 0;
    }
  }

  saveButton.addEventListener("click", save);
  startButton.addEventListener("click", start);
  stopButton.addEventListener("click", stop);
  window.addEventListener("pagehide", stop);
})();
