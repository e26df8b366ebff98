/* Draws the city hub's charts with Apache ECharts (served by the app, see package.json).
 *
 * The page carries its chart data as JSON (<script id="hub-charts">, from hub/tables.py):
 * [{key, type: "bar"|"stacked", categories: [...], series: [{name, unit, data}]}], and one
 * <div class="hub-chart" data-chart="key"> per chart. Rates and days get their own axis
 * next to counts and money, so a percentage is not flattened by yuan.
 */
(function () {
  "use strict";
  var source = document.getElementById("hub-charts");
  if (!source || typeof echarts === "undefined") { return; }
  var specs = JSON.parse(source.textContent);
  var dark = document.body.classList.contains("hub-wall");
  var charts = [];

  function axisFor(unit) { return unit === "rate" || unit === "days" ? 1 : 0; }

  function option(spec) {
    var units = spec.series.map(function (s) { return s.unit; });
    var twoAxes = units.some(function (u) { return axisFor(u) === 1; }) && units.some(function (u) { return axisFor(u) === 0; });
    var horizontal = spec.categories.length > 8;
    var valueAxes = [{ type: "value" }];
    if (twoAxes) { valueAxes.push({ type: "value", splitLine: { show: false } }); }
    var categoryAxis = { type: "category", data: spec.categories, axisLabel: { interval: 0, hideOverlap: true, width: 90, overflow: "truncate" } };
    return {
      backgroundColor: "transparent",
      tooltip: { trigger: "axis", confine: true },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      xAxis: horizontal ? valueAxes : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxes,
      dataZoom: horizontal && spec.categories.length > 20 ? [{ type: "inside", yAxisIndex: 0 }] : [],
      series: spec.series.map(function (s) {
        var axis = twoAxes ? axisFor(s.unit) : 0;
        var line = twoAxes && axis === 1 && !horizontal;
        var item = {
          name: s.name, type: line ? "line" : "bar", data: s.data,
          stack: spec.type === "stacked" ? "total" : undefined
        };
        item[horizontal ? "xAxisIndex" : "yAxisIndex"] = axis;
        return item;
      })
    };
  }

  specs.forEach(function (spec) {
    var el = document.querySelector('.hub-chart[data-chart="' + spec.key + '"]');
    if (!el) { return; }
    if (spec.categories.length > 8) { el.style.height = Math.max(280, spec.categories.length * 22 + 60) + "px"; }
    var chart = echarts.init(el, dark ? "dark" : null, { renderer: "canvas" });
    chart.setOption(option(spec));
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
}());
