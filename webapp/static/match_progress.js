// The organizer's meetup page: while a matching run is queued or running, poll its progress
// (GET data-progress-url, JSON) every second and show it; once the meetup is matched, reload
// so the preview shows. Without JavaScript the page carries the same state and a Refresh
// link. A static file, so the Content-Security-Policy stays "script-src 'self'".
(function () {
  "use strict";
  var box = document.getElementById("match-progress");
  if (!box || box.getAttribute("data-active") !== "yes") {
    return;
  }
  var url = box.getAttribute("data-progress-url");
  var label = document.getElementById("match-progress-label");
  var bar = document.getElementById("match-progress-bar");
  var refresh = document.getElementById("match-progress-refresh");
  if (refresh) {
    refresh.hidden = true;
  }

  function show(data) {
    var progress = data.progress;
    if (data.meetup_status !== "open" || (progress && progress.state === "done")) {
      window.location.reload();
      return false;
    }
    if (!progress) {
      return true;
    }
    label.textContent = progress.label;
    if (progress.percent === null) {
      bar.removeAttribute("value");
    } else {
      bar.value = progress.percent;
    }
    box.setAttribute("data-state", progress.state);
    return progress.active;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        if (show(data)) {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 1000);
})();
