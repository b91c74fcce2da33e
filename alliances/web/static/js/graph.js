// Draw the network (and the ego network of a profile) with Cytoscape.js; positions come from the server.
// Node size follows the ranking metric, colour the organisation kind; edges are coloured by alliance type.
// Sizes are set in screen pixels after the graph is fitted, so labels stay readable at any zoom.
// Clicking a node opens its profile; hovering shows its name and highlights its partners.
(function () {
  "use strict";
  if (typeof cytoscape === "undefined") { return; }
  var KIND = {
    pharma: "#E69F00", biotech: "#CC79A7", cro: "#CC79A7", medtech: "#009E73", diagnostics: "#009E73",
    big_tech: "#0072B2", tech: "#56B4E9", startup: "#D55E00", academic: "#F0E442", hospital: "#F0E442",
    public_body: "#F0E442"
  };

  function elementsOf(graph, labelled) {
    var metric = function (n) { return n.degree || n.alliances || 1; };
    var maxValue = Math.max.apply(null, graph.nodes.map(metric));
    var maxWeight = Math.max.apply(null, graph.edges.map(function (e) { return e.weight; }).concat([1]));
    var nodes = graph.nodes.map(function (n, i) {
      return { group: "nodes", position: { x: n.x, y: n.y }, data: {
        id: String(n.id), name: n.name, label: (i < labelled || n.centre) ? n.name : "",
        colour: n.colour || KIND[n.kind] || "#999999", px: 10 + 28 * Math.sqrt(metric(n) / maxValue),
        centre: n.centre ? 1 : 0 } };
    });
    var edges = graph.edges.map(function (e) {
      return { group: "edges", data: { id: e.source + "-" + e.target, source: String(e.source),
        target: String(e.target), colour: e.colour || "#999999", px: 1 + 4 * (e.weight / maxWeight) } };
    });
    return nodes.concat(edges);
  }

  function rescale(cy) {
    var z = cy.zoom();
    cy.style()
      .selector("node").style({
        width: function (n) { return n.data("px") / z; }, height: function (n) { return n.data("px") / z; },
        "font-size": 11 / z, "text-outline-width": 2 / z, "border-width": 1 / z })
      .selector("node[centre = 1]").style({ "border-width": 4 / z })
      .selector("edge").style({ width: function (e) { return e.data("px") / z; } })
      .update();
  }

  function draw(el) {
    var graph = JSON.parse(el.getAttribute("data-graph"));
    if (!graph.nodes.length) { el.classList.add("empty-graph"); return; }
    var labelled = parseInt(el.getAttribute("data-labels") || "30", 10);
    var cy = cytoscape({
      container: el, elements: elementsOf(graph, labelled), layout: { name: "preset", fit: true, padding: 30 },
      wheelSensitivity: 0.2, minZoom: 0.05, maxZoom: 20,
      style: [
        { selector: "node", style: { "background-color": "data(colour)", label: "data(label)", color: "#1f2933",
          "text-outline-color": "#ffffff", "border-color": "#33415c", "text-valign": "top" } },
        { selector: "node[centre = 1]", style: { "border-color": "#000000" } },
        { selector: "edge", style: { "line-color": "data(colour)", opacity: 0.75, "curve-style": "haystack" } },
        { selector: ".faded", style: { opacity: 0.12 } }
      ]
    });
    rescale(cy);
    cy.on("zoom", function () { rescale(cy); });
    cy.on("tap", "node", function (evt) { window.location.href = "/organisations/" + evt.target.id(); });
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
