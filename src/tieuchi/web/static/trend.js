// The trend charts of /units/{unit}/trend: their figures come in <script type="application/json"
// id="trend-data"> (data, not code), drawn with plotly served from the installed package.
(function () {
  var source = document.getElementById("trend-data");
  if (!source) return;
  var charts = JSON.parse(source.textContent);
  var config = {displayModeBar: false, responsive: true};
  if (charts.line) Plotly.newPlot("trend-chart", charts.line.data, charts.line.layout, config);
  if (charts.bars) Plotly.newPlot("trend-units", charts.bars.data, charts.bars.layout, config);
})();
