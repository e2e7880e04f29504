/* Choropleth map of regions (Leaflet, no tile layer: the boundaries are the map).
 * Reads its configuration from <script type="application/json" id="{map id}-config">:
 *   {boundaries: url, counts: {code: n}, panel: url with CODE or null, label: "initiatives"}
 * Each region is keyboard-focusable; Enter or a click opens the region panel (htmx) when given.
 * The table next to the map carries the same figures for screen readers and keyboard users. */
(function () {
  "use strict";
  var COLOURS = ["#f2f2f2", "#cfe0f0", "#9ec2e2", "#5f95c9", "#2f6aa8", "#154273"];

  function colour(n, max) {
    if (!n) return COLOURS[0];
    var step = Math.min(COLOURS.length - 1, 1 + Math.floor((n / Math.max(max, 1)) * (COLOURS.length - 2) + 0.0001));
    return COLOURS[step];
  }

  function openPanel(config, code) {
    if (!config.panel) return;
    var url = config.panel.replace("CODE", encodeURIComponent(code));
    var target = document.getElementById("region-panel");
    if (window.htmx && target) {
      window.htmx.ajax("GET", url, {target: "#region-panel", swap: "innerHTML"}).then(function () {
        var heading = target.querySelector("h2, h3");
        if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
      });
    } else {
      window.location.href = url;
    }
  }

  function init(el) {
    var config = JSON.parse(document.getElementById(el.id + "-config").textContent);
    var counts = config.counts || {};
    var max = 0;
    Object.keys(counts).forEach(function (k) { max = Math.max(max, counts[k]); });
    var map = L.map(el, {zoomSnap: 0.25, attributionControl: true, scrollWheelZoom: false});
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("CBS / PDOK");
    fetch(config.boundaries, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (data) {
      var layer = L.geoJSON(data, {
        style: function (feature) {
          return {color: "#1b1b1b", weight: 1, fillOpacity: 0.85, fillColor: colour(counts[feature.properties.code] || 0, max)};
        },
        onEachFeature: function (feature, lyr) {
          var code = feature.properties.code;
          var n = counts[code] || 0;
          var text = feature.properties.name + ": " + n + " " + config.label;
          lyr.bindTooltip(text, {sticky: true});
          lyr.on("click", function () { openPanel(config, code); });
          lyr.on("add", function () {
            var path = lyr.getElement();
            if (!path) return;
            path.setAttribute("data-code", code);
            if (config.panel) {
              path.setAttribute("tabindex", "0");
              path.setAttribute("role", "button");
              path.setAttribute("aria-label", text);
              path.addEventListener("keydown", function (event) {
                if (event.key === "Enter" || event.key === " ") { event.preventDefault(); openPanel(config, code); }
              });
            } else {
              path.setAttribute("aria-hidden", "true");
            }
          });
        }
      }).addTo(map);
      if (layer.getLayers().length) map.fitBounds(layer.getBounds(), {padding: [8, 8]});
      el.setAttribute("data-ready", "true");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-portal-map]").forEach(init);
  });
})();
