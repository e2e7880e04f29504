/* Charts from <canvas data-portal-chart="{id of a JSON script}">: the JSON is a Chart.js config.
 * Every chart has a data table next to it (the accessible alternative); the canvas is described by it. */
(function () {
  "use strict";
  var PALETTE = ["#154273", "#e17000", "#39870c", "#a90061", "#007bc7", "#673327", "#ffb612", "#42145f", "#8fcae7", "#76d2b6"];
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-portal-chart]").forEach(function (canvas) {
      var config = JSON.parse(document.getElementById(canvas.getAttribute("data-portal-chart")).textContent);
      (config.data.datasets || []).forEach(function (dataset, i) {
        if (!dataset.backgroundColor) dataset.backgroundColor = config.type === "doughnut" ? PALETTE : PALETTE[i % PALETTE.length];
      });
      config.options = Object.assign({responsive: true, maintainAspectRatio: false, animation: false}, config.options || {});
      new window.Chart(canvas, config);
    });
  });
})();
