/* Dashboard charts (ECharts), drawn from the JSON that the page carries in #dashboard-data.
   Numbers with the separators the server sends in data.number (56.000 and 0,6 in Vietnamese, 56,000 and
   0.6 in English), as the page's tables print them; a percent as "56,4 %". Tooltips drawn on the canvas
   so no inline style is needed (the CSP forbids them). Redrawn after an htmx swap of #dashboard. */
(function () {
  "use strict";

  var english = (document.documentElement.lang || "vi").indexOf("en") === 0;
  var THOUSANDS = english ? "," : ".";
  var DECIMAL = english ? "." : ",";
  var SPACE = " ";

  function useSymbols(number) {
    if (!number) return;
    THOUSANDS = number.group;
    DECIMAL = number.decimal;
    SPACE = number.space || SPACE;
  }

  function percent(text) {
    return text === "—" ? text : text + SPACE + "%";
  }
  var COLORS = { on_time: "#198754", late: "#ffc107", missing: "#dc3545" };

  function fmt(value, decimals) {
    if (value === null || value === undefined || isNaN(value)) return "—";
    var text = decimals === null || decimals === undefined
      ? String(Math.round(value * 10000) / 10000)
      : Number(value).toFixed(decimals);
    var negative = text.charAt(0) === "-";
    if (negative) text = text.slice(1);
    var parts = text.split(".");
    var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, THOUSANDS);
    return (negative ? "-" : "") + whole + (parts[1] ? DECIMAL + parts[1] : "");
  }

  function shorten(name, max) {
    return name.length > max ? name.slice(0, max - 1) + "…" : name;
  }

  var charts = [];

  function make(el, option) {
    var old = echarts.getInstanceByDom(el);
    if (old) old.dispose();
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    charts.push(chart);
    return chart;
  }

  function completeness(data) {
    // Found by class, not id: htmx copies the attributes of same-id elements across a swap, and the
    // style attribute that the chart sets would then be applied inline (a CSP violation).
    var el = document.querySelector(".completeness-chart");
    if (!el) return;
    var c = data.completeness;
    // One bar per unit: the chart grows with the number of units instead of squeezing them.
    el.style.height = Math.max(200, 26 * c.units.length + 90) + "px";
    var series = ["on_time", "late", "missing"].map(function (key) {
      return {
        name: data.labels[key], type: "bar", stack: "reports", data: c[key],
        itemStyle: { color: COLORS[key] }, barMaxWidth: 22
      };
    });
    make(el, {
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText",
        valueFormatter: function (v) { return fmt(v, 0); } },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1, axisLabel: { formatter: function (v) { return fmt(v, 0); } } },
      yAxis: { type: "category", inverse: true, data: c.units,
        axisLabel: { formatter: function (v) { return shorten(v, window.innerWidth < 576 ? 14 : 24); } } },
      series: series
    });
  }

  function trends(data) {
    var t = data.trend;
    document.querySelectorAll(".trend-chart").forEach(function (el) {
      var s = t.series[Number(el.dataset.series)];
      if (!s) return;
      var title = s.name + (s.unit ? " (" + s.unit + ")" : "");
      make(el, {
        animation: false,
        title: { text: shorten(title, window.innerWidth < 576 ? 42 : 70), textStyle: { fontSize: 13, fontWeight: "normal" } },
        tooltip: { trigger: "axis", renderMode: "richText",
          valueFormatter: function (v) { var t = fmt(v, s.decimals); return s.percent ? percent(t) : t; } },
        grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: t.periods, boundaryGap: true,
          axisLabel: { hideOverlap: true } },
        // Counts start at zero; a stock (followers, members) shows its change instead.
        yAxis: { type: "value", scale: !s.zero, minInterval: s.integer ? 1 : 0,
          axisLabel: { formatter: function (v) { return fmt(v, s.decimals === null ? null : 0); } } },
        series: [{ name: s.name, type: "line", data: s.values, connectNulls: false, symbolSize: 6,
          itemStyle: { color: "#b02a37" }, label: { show: false } }]
      });
    });
  }

  function draw() {
    var node = document.getElementById("dashboard-data");
    if (!node || typeof echarts === "undefined") return;
    charts.forEach(function (c) { if (!c.isDisposed()) c.dispose(); });
    charts = [];
    var data = JSON.parse(node.textContent);
    useSymbols(data.number);
    completeness(data);
    trends(data);
  }

  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 150);
  });
  document.addEventListener("DOMContentLoaded", draw);
  document.body.addEventListener("htmx:afterSettle", draw);
  window.giaobanDashboard = { format: fmt, redraw: draw };
})();
