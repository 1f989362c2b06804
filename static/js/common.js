// Small helpers shared by every page: CSRF for fetch, copy buttons, confirm-before-submit forms.
"use strict";

document.documentElement.classList.add("js");

window.Facet = window.Facet || {};

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

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  if (!source) return;
  source.select();
  const done = () => {
    const label = button.textContent;
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = label; }, 1500);
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
