// Draw every Plotly figure embedded in the page (data-figure holds the spec the server built).
(function () {
  "use strict";
  if (typeof Plotly === "undefined") { return; }
  document.querySelectorAll(".plot[data-figure]").forEach(function (el) {
    var figure = JSON.parse(el.getAttribute("data-figure"));
    Plotly.newPlot(el, figure.data, figure.layout, {
      responsive: true, displaylogo: false, modeBarButtonsToRemove: ["select2d", "lasso2d"]
    }).then(function () { el.setAttribute("data-rendered", "true"); });
  });
})();
