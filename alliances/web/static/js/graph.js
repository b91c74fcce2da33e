// Draw the network (and the ego network of a profile) with Cytoscape.js, positions computed server-side.
// Node size follows the ranking metric, colour the organisation kind; edges are coloured by alliance type.
// Clicking a node opens its profile.
(function () {
  "use strict";
  if (typeof cytoscape === "undefined") { return; }
  var KIND = {
    pharma: "#E69F00", biotech: "#CC79A7", cro: "#CC79A7", medtech: "#009E73", diagnostics: "#009E73",
    big_tech: "#0072B2", tech: "#56B4E9", startup: "#D55E00", academic: "#F0E442", hospital: "#F0E442",
    public_body: "#F0E442"
  };

  function draw(el) {
    var graph = JSON.parse(el.getAttribute("data-graph"));
    if (!graph.nodes.length) { el.classList.add("empty-graph"); return; }
    var maxDegree = Math.max.apply(null, graph.nodes.map(function (n) { return n.degree || n.alliances || 1; }));
    var maxWeight = Math.max.apply(null, graph.edges.map(function (e) { return e.weight; }).concat([1]));
    var labelled = parseInt(el.getAttribute("data-labels") || "30", 10);
    var elements = graph.nodes.map(function (n, i) {
      var value = n.degree || n.alliances || 1;
      return { group: "nodes", position: { x: n.x, y: n.y }, data: {
        id: String(n.id), name: n.name, label: (i < labelled || n.centre) ? n.name : "",
        colour: n.colour || KIND[n.kind] || "#999999",
        size: 10 + 30 * Math.sqrt(value / maxDegree), centre: n.centre ? 1 : 0 } };
    }).concat(graph.edges.map(function (e) {
      return { group: "edges", data: { id: e.source + "-" + e.target, source: String(e.source),
        target: String(e.target), colour: e.colour || "#999999", width: 1 + 5 * (e.weight / maxWeight),
        title: e.types } };
    }));
    var cy = cytoscape({
      container: el, elements: elements, layout: { name: "preset", fit: true, padding: 24 },
      wheelSensitivity: 0.2, minZoom: 0.2, maxZoom: 4,
      style: [
        { selector: "node", style: { "background-color": "data(colour)", width: "data(size)",
          height: "data(size)", label: "data(label)", "font-size": 11, color: "#1f2933", "min-zoomed-font-size": 6,
          "text-outline-color": "#ffffff", "text-outline-width": 2, "border-width": 1, "border-color": "#33415c" } },
        { selector: "node[centre = 1]", style: { "border-width": 4, "border-color": "#000000" } },
        { selector: "edge", style: { "line-color": "data(colour)", width: "data(width)", opacity: 0.7,
          "curve-style": "haystack" } },
        { selector: "node:selected", style: { "border-width": 4, "border-color": "#000000" } },
        { selector: ".faded", style: { opacity: 0.15 } }
      ]
    });
    cy.on("tap", "node", function (evt) { window.location.href = "/organisations/" + evt.target.id(); });
    // Unlabelled nodes show their name while hovered, and their neighbourhood is highlighted.
    cy.on("mouseover", "node", function (evt) {
      var node = evt.target;
      node.style("label", node.data("name"));
      cy.elements().not(node.closedNeighborhood()).addClass("faded");
      el.style.cursor = "pointer";
    });
    cy.on("mouseout", "node", function (evt) {
      evt.target.removeStyle("label");
      cy.elements().removeClass("faded");
      el.style.cursor = "";
    });
    el.setAttribute("data-rendered", "true");
    el.cy = cy;
  }

  document.querySelectorAll(".graph[data-graph]").forEach(draw);
})();
