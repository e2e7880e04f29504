/* The overlap network: loads nodes and edges from the page's JSON endpoint (data-url) and draws
   them with cytoscape.js. The cluster table on the page is the accessible alternative. */
(function () {
  "use strict";
  var container = document.getElementById("overlap-network");
  if (!container || typeof window.cytoscape !== "function") {
    return;
  }
  var LINE = { overlaps: "solid", confirmed_overlap: "solid", complements: "dashed", part_of: "dotted" };

  fetch(container.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    })
    .then(function (data) {
      var elements = data.nodes.map(function (n) {
        return { data: { id: "n" + n.id, label: n.title, colour: n.colour, url: n.url, province: n.province } };
      });
      data.edges.forEach(function (e, i) {
        elements.push({ data: { id: "e" + i, source: "n" + e.source, target: "n" + e.target, kind: e.kind,
                                label: e.label, line: LINE[e.kind] || "solid" } });
      });
      var cy = window.cytoscape({
        container: container,
        elements: elements,
        style: [
          { selector: "node", style: { "background-color": "data(colour)", label: "data(label)", "font-size": 10,
                                       "text-wrap": "ellipsis", "text-max-width": 120, width: 18, height: 18 } },
          { selector: "edge", style: { width: 2, "line-color": "#555", "line-style": "data(line)",
                                       "curve-style": "bezier" } },
          { selector: "node:selected", style: { "border-width": 3, "border-color": "#000" } }
        ],
        layout: { name: elements.length > 400 ? "grid" : "cose", animate: false }
      });
      container.dataset.nodes = String(cy.nodes().length);
      container.dataset.edges = String(cy.edges().length);
      cy.on("tap", "node", function (event) {
        var url = event.target.data("url");
        if (url) {
          window.location.assign(url);
        }
      });
    })
    .catch(function () {
      container.dataset.error = "true";
    });
})();
