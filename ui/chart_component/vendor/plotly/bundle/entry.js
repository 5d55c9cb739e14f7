// The plotly.js the chart draws with: its core (scatter, layout images, the modebar...) and
// only the trace types Descent Lab's payloads use. tests/test_chart_component.py checks that
// every trace type in ui/ is registered here.
"use strict";

const Plotly = require("plotly.js/lib/core");

Plotly.register([
  require("plotly.js/lib/contour"),
  require("plotly.js/lib/surface"),
]);

module.exports = Plotly;
