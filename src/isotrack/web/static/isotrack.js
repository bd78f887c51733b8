// Small progressive enhancements; every page works without this file.
// 1. Forms marked data-live-target re-render a part of the page as the user types.
// 2. A request that finds the session expired sends the user to sign in, keeping the page.
(function () {
  "use strict";
  function debounce(fn, ms) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }
  function liveForm(form) {
    var target = document.querySelector(form.getAttribute("data-live-target"));
    var url = form.getAttribute("data-live-url");
    if (!target || !url) { return; }
    var counter = 0;
    var refresh = debounce(function () {
      var params = new URLSearchParams(new FormData(form));
      var mine = ++counter;
      fetch(url + "?" + params.toString(), { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
        .then(function (response) {
          if (response.status === 401) {
            window.location = "/signin?expired=1&next=" + encodeURIComponent(window.location.pathname + "?" + params.toString());
            return null;
          }
          return response.text();
        })
        .then(function (html) {
          if (html !== null && mine === counter) {
            target.innerHTML = html;
            if (window.history && window.history.replaceState) {
              window.history.replaceState(null, "", form.getAttribute("action") + "?" + params.toString());
            }
          }
        });
    }, 300);
    form.addEventListener("input", refresh);
    form.addEventListener("change", refresh);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-live-target]").forEach(liveForm);
    // Open the event form that holds an error and move focus to its first invalid field.
    var invalid = document.querySelector("[aria-invalid='true']");
    if (invalid) { invalid.focus(); }
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
