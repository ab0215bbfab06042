/* Draw the dashboard charts with the vendored ECharts.
 *
 * Each chart is a <div class="chart" data-chart="ID"> next to <script type="application/json"
 * id="ID"> holding a spec built by reports/views/charts.py: kind (pie, bar, stacked-bar,
 * area), labels, series [{name, data, colour | colours, links}]. Clicking a point with a link
 * opens the filtered task list; the same figures are in the <table> under each chart.
 */
(function () {
  "use strict";

  function tooltip(kind) {
    return kind === "pie" ? { trigger: "item" } : { trigger: "axis" };
  }

  function pieOption(spec) {
    var serie = spec.series[0];
    return {
      tooltip: tooltip("pie"),
      legend: { bottom: 0, type: "scroll" },
      series: [{
        name: serie.name,
        type: "pie",
        radius: ["35%", "65%"],
        label: { formatter: "{b}: {c}" },
        data: spec.labels.map(function (label, i) {
          return {
            name: label,
            value: serie.data[i],
            link: serie.links ? serie.links[i] : null,
            itemStyle: { color: serie.colours ? serie.colours[i] : undefined }
          };
        })
      }]
    };
  }

  function axisOption(spec) {
    var horizontal = !!spec.horizontal;
    var categoryAxis = { type: "category", data: spec.labels, axisLabel: { interval: 0, width: 120, overflow: "truncate" } };
    var valueAxis = { type: "value", minInterval: 1 };
    var stacked = spec.kind === "stacked-bar" || spec.kind === "area";
    return {
      tooltip: tooltip(spec.kind),
      legend: spec.series.length > 1 ? { bottom: 0, type: "scroll" } : undefined,
      grid: { left: 8, right: 16, top: 16, bottom: spec.series.length > 1 ? 40 : 8, containLabel: true },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: spec.series.map(function (serie) {
        return {
          name: serie.name,
          type: spec.kind === "area" ? "line" : "bar",
          stack: stacked ? "total" : undefined,
          areaStyle: spec.kind === "area" ? {} : undefined,
          smooth: false,
          color: serie.colour,
          data: serie.data.map(function (value, i) {
            var point = { value: value, link: serie.links ? serie.links[i] : null };
            if (serie.colours) { point.itemStyle = { color: serie.colours[i] }; }
            return point;
          })
        };
      })
    };
  }

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source || !window.echarts) { return; }
    var spec = JSON.parse(source.textContent);
    var chart = window.echarts.init(element, null, { renderer: "svg" });
    chart.setOption(spec.kind === "pie" ? pieOption(spec) : axisOption(spec));
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
