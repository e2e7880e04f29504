// Small behaviours that used to be inline attributes; the Content-Security-Policy forbids inline
// script and style, so they are wired up here.
(function () {
  "use strict";
  function init(root) {
    root.querySelectorAll("[data-portal-print]").forEach(function (button) {
      if (button.dataset.portalPrintBound) return;
      button.dataset.portalPrintBound = "1";
      button.addEventListener("click", function () { window.print(); });
    });
    // Colour swatches: setting el.style from script (CSSOM) is allowed, a style="" attribute is not.
    root.querySelectorAll("[data-swatch-colour]").forEach(function (el) {
      el.style.background = el.dataset.swatchColour;
    });
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
