/* Draw the dashboard charts with the vendored ECharts.
 *
 * Each chart is a <div class="chart" data-chart="ID"> next to <script type="application/json"
 * id="ID"> holding a spec built by reports/views/charts.py. The spec carries the whole
 * ECharts option (spec.option: labels, legends and axes are set, and tested, in Python) and
 * the drawing's height in pixels. Clicking a point with a link opens the filtered task list;
 * the same figures are in the <table> under each chart.
 */
(function () {
  "use strict";

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source || !window.echarts) { return; }
    var spec = JSON.parse(source.textContent);
    if (spec.height) { element.style.height = spec.height + "px"; }
    var chart = window.echarts.init(element, null, { renderer: "svg" });
    chart.setOption(spec.option);
    chart.on("click", function (params) {
      if (params.data && params.data.link) { window.location.href = params.data.link; }
    });
    window.addEventListener("resize", function () { chart.resize(); });
    element.setAttribute("data-drawn", "true");
  }

  function drawAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
