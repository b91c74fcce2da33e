// Draw every Plotly figure embedded in the page (data-figure holds the spec the server built).
(function () {
  "use strict";
  if (typeof Plotly === "undefined") { return; }
  // French pages: Plotly's own words (tooltips of the tool bar) and number format in French.
  Plotly.register({
    moduleType: "locale", name: "fr",
    dictionary: {
      "Autoscale": "Échelle automatique", "Box Select": "Sélection rectangulaire",
      "Click to enter Colorscale title": "Cliquez pour saisir le titre de l'échelle",
      "Compare data on hover": "Comparer les valeurs au survol",
      "Double-click on legend to isolate one trace": "Double-cliquez sur la légende pour isoler une série",
      "Double-click to zoom back out": "Double-cliquez pour dézoomer",
      "Download plot": "Télécharger le graphique", "Download plot as a png": "Télécharger le graphique en PNG",
      "Lasso Select": "Sélection au lasso", "Pan": "Déplacer", "Produced with Plotly.js": "Réalisé avec Plotly.js",
      "Reset": "Réinitialiser", "Reset axes": "Réinitialiser les axes", "Reset view": "Réinitialiser la vue",
      "Show closest data on hover": "Afficher la valeur la plus proche au survol",
      "Snapshot succeeded": "Capture réussie",
      "Taking snapshot - this may take a few seconds": "Capture en cours, quelques secondes…",
      "Toggle Spike Lines": "Afficher ou masquer les lignes de repère",
      "Toggle show closest data on hover": "Afficher ou masquer la valeur la plus proche au survol",
      "Zoom": "Zoom", "Zoom in": "Zoom avant", "Zoom out": "Zoom arrière"
    },
    format: {
      decimal: ",", thousands: "\u202f",
      days: ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
      shortDays: ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
      months: ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
        "novembre", "décembre"],
      shortMonths: ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."],
      date: "%d/%m/%Y", dayMonth: "%-d %b", dayMonthYear: "%-d %b %Y"
    }
  });
  var locale = document.documentElement.lang === "fr" ? "fr" : "en";
  document.querySelectorAll(".plot[data-figure]").forEach(function (el) {
    var figure = JSON.parse(el.getAttribute("data-figure"));
    Plotly.newPlot(el, figure.data, figure.layout, {
      responsive: true, displaylogo: false, modeBarButtonsToRemove: ["select2d", "lasso2d"], locale: locale
    }).then(function () { el.setAttribute("data-rendered", "true"); });
  });
})();
