/* น้องพัฒน์ dashboard: burn-up charts (Chart.js) and filter auto-submit.
   Data comes from <script type="application/json" id="chart-data"> (rendered with |tojson);
   nothing from the page is ever written back as HTML. */
(function () {
  "use strict";
  var FONT = '"Sarabun", "Loma", "Garuda", "Noto Sans Thai", "Tlwg Typo", sans-serif';
  var fmt = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

  function readData() {
    var el = document.getElementById("chart-data");
    if (!el) return {};
    try { return JSON.parse(el.textContent || "{}"); } catch (e) { return {}; }
  }

  function yearsText(labels) {
    var year = function (l) { var m = / (\d{4})$/.exec(l || ""); return m ? m[1] : ""; };
    var a = year(labels[0]), b = year(labels[labels.length - 1]);
    return "พ.ศ. " + (a === b ? a : a + "–" + b);
  }

  function drawCharts() {
    if (typeof window.Chart === "undefined") return;
    var Chart = window.Chart;
    Chart.defaults.font.family = FONT;
    Chart.defaults.font.size = 13;
    Chart.defaults.color = "#334155";
    var data = readData();
    var canvases = document.querySelectorAll("canvas[data-chart]");
    Array.prototype.forEach.call(canvases, function (canvas) {
      var d = data[canvas.getAttribute("data-chart")];
      if (!d || !d.labels) return;
      var datasets = [{
        label: "ผลงานสะสม (" + d.unit + ")",
        data: d.actual,
        borderColor: "#0f766e",
        backgroundColor: "rgba(15, 118, 110, 0.12)",
        fill: true,
        pointRadius: 0,
        borderWidth: 2.5,
        tension: 0,
        spanGaps: false
      }, {
        label: "แนวเส้นตรงถึงกำหนดส่ง",
        data: d.ideal,
        borderColor: "#b45309",
        borderDash: [6, 4],
        pointRadius: 0,
        borderWidth: 2,
        fill: false,
        spanGaps: false
      }];
      new Chart(canvas, {
        type: "line",
        data: { labels: d.labels, datasets: datasets },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          interaction: { mode: "index", intersect: false },
          scales: {
            x: {
              title: { display: canvas.clientWidth < 500, text: yearsText(d.labels) },
              ticks: {
                autoSkip: false,
                maxRotation: 0,
                // about six dates, always the last one (the deadline)
                callback: function (value, index) {
                  var narrow = canvas.clientWidth < 500;
                  var last = d.labels.length - 1;
                  var step = Math.max(1, Math.ceil(d.labels.length / (narrow ? 3 : 6)));
                  if (index === last || (index % step === 0 && last - index >= step / 2)) {
                    // phones: "21 มี.ค." without the year; the axis title carries it
                    return narrow ? d.labels[index].replace(/ \d{4}$/, "") : d.labels[index];
                  }
                  return null;
                }
              }
            },
            y: {
              beginAtZero: true,
              suggestedMax: d.target || undefined,
              ticks: { callback: function (v) { return fmt.format(v); } }
            }
          },
          plugins: {
            legend: { position: "bottom", labels: { boxWidth: 18 } },
            tooltip: {
              callbacks: {
                label: function (ctx) {
                  if (ctx.parsed.y === null) return "";
                  return ctx.dataset.label + ": " + fmt.format(ctx.parsed.y);
                }
              }
            }
          }
        }
      });
      canvas.setAttribute("data-drawn", "1");
    });
  }

  // the audit trail's filters and the province / fiscal-year choosers: plain GET forms that
  // also work without this script (their buttons); here a change submits at once
  function autoSubmitFilters() {
    var forms = document.querySelectorAll("#entry-filters, form.chooser");
    Array.prototype.forEach.call(forms, function (form) {
      Array.prototype.forEach.call(form.querySelectorAll("select"), function (sel) {
        sel.addEventListener("change", function () { form.submit(); });
      });
    });
  }

  function init() { drawCharts(); autoSubmitFilters(); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
