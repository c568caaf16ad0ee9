// The live view's script: draws the error histogram with Chart.js from the
// bins the plot function pushes as Server-Sent Events ("snapshot" events),
// and the figures of each series in the table. It never reloads and never
// polls: EventSource reconnects by itself when the stream ends.
"use strict";

// The PNG's colours (SERIES_COLOURS in histogram_chart.ts): one model in the
// blue it always had, several overlaid half transparent, the champion first.
const ALONE = ["rgba(54, 112, 198, 0.75)", "rgb(34, 76, 140)"];
const OVERLAID = [
  ["rgba(54, 112, 198, 0.5)", "rgb(34, 76, 140)"],
  ["rgba(221, 107, 32, 0.5)", "rgb(170, 75, 15)"],
  ["rgba(46, 160, 67, 0.5)", "rgb(26, 110, 45)"],
  ["rgba(150, 60, 170, 0.5)", "rgb(105, 35, 120)"],
];

const status = document.getElementById("status");
const tableBody = document.querySelector("#series tbody");
const verdictList = document.getElementById("verdicts");
let chart;
let drawn = 0;

// Four significant digits, as the PNG's title and labels.
function formatNumber(value) {
  return value === null || !Number.isFinite(value) ? "n/a" : String(Number(value.toPrecision(4)));
}

function formatRows(rows) {
  return rows.toLocaleString("en-US");
}

function formatRate(rate) {
  if (rate === null) return "n/a";
  return rate >= 100 ? String(Math.round(rate)) : rate.toFixed(1);
}

function formatTime(ms) {
  if (ms === null) return "n/a";
  const at = new Date(ms);
  const pad = (n) => String(n).padStart(2, "0");
  return `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
}

// The PNG's figures: "1,234 rows, MAE 43.28, RMSE 53.48".
function figures(series) {
  const rows = `${formatRows(series.rows)} ${series.rows === 1 ? "row" : "rows"}`;
  if (series.rows === 0) return rows;
  return `${rows}, MAE ${formatNumber(series.mae)}, RMSE ${formatNumber(series.rmse)}`;
}

// The PNG's title: one model's figures, or a legend of every model's.
function title(snapshot) {
  const [first] = snapshot.series;
  return snapshot.series.length === 1
    ? `Error distribution: ${figures(first)}`
    : "Error distribution by model";
}

function seriesName(series) {
  return series.champion ? `${series.name} (champion)` : series.name;
}

// The PNG's legend: "linear (champion): 442 rows, MAE 43.28, RMSE 54.1".
function legendLabel(series) {
  return `${seriesName(series)}: ${figures(series)}`;
}

// Bin labels as the PNG's: "lower–upper"; the first series' bins label the axis.
function labels(series) {
  return series.counts.map((_, i) =>
    `${formatNumber(series.edges[i])}–${formatNumber(series.edges[i + 1])}`
  );
}

function datasets(snapshot) {
  const alone = snapshot.series.length === 1;
  return snapshot.series.map((series, i) => {
    const [fill, line] = alone ? ALONE : OVERLAID[i % OVERLAID.length];
    return {
      label: legendLabel(series),
      data: [...series.counts],
      backgroundColor: fill,
      borderColor: line,
      borderWidth: 1,
      barPercentage: 1,
      categoryPercentage: 1,
      grouped: false,
    };
  });
}

function drawChart(snapshot) {
  const first = snapshot.series[0];
  if (chart === undefined) {
    chart = new Chart(document.getElementById("histogram"), {
      type: "bar",
      data: { labels: labels(first), datasets: datasets(snapshot) },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: {
          legend: { display: snapshot.series.length > 1 },
          title: { display: true, text: title(snapshot), font: { size: 16 } },
        },
        scales: {
          x: { title: { display: true, text: "absolute error" } },
          y: { title: { display: true, text: "rows" }, beginAtZero: true },
        },
      },
    });
    return;
  }
  chart.data.labels = labels(first);
  chart.data.datasets = datasets(snapshot);
  chart.options.plugins.legend.display = snapshot.series.length > 1;
  chart.options.plugins.title.text = title(snapshot);
  chart.update("none");
}

function cell(row, field, text) {
  const td = document.createElement("td");
  td.className = field;
  td.textContent = text;
  row.append(td);
}

function drawTable(snapshot) {
  const rows = snapshot.series.map((series) => {
    const row = document.createElement("tr");
    cell(row, "name", seriesName(series));
    cell(row, "rows", formatRows(series.rows));
    cell(row, "mae", formatNumber(series.mae));
    cell(row, "rmse", formatNumber(series.rmse));
    cell(row, "rate", formatRate(series.rowsPerSecond));
    cell(row, "last-row", formatTime(series.lastRowAt));
    return row;
  });
  tableBody.replaceChildren(...rows);
}

// The verdicts as the PNG's subtitle says them, one line per challenger.
function drawVerdicts(snapshot) {
  const items = snapshot.verdicts.map((verdict) => {
    const item = document.createElement("li");
    item.className = verdict.verdict.replace(" ", "-");
    item.textContent = verdict.text;
    return item;
  });
  verdictList.replaceChildren(...items);
}

function show(snapshot) {
  drawChart(snapshot);
  drawTable(snapshot);
  drawVerdicts(snapshot);
  // Marks let a benchmark read, in the browser, when the page drew each update.
  if (drawn++ === 0) performance.mark("histogram-first-drawn");
  performance.clearMarks("histogram-drawn");
  performance.mark("histogram-drawn", { detail: { version: snapshot.version } });
}

function setStatus(kind, text) {
  status.className = kind;
  status.textContent = text;
}

const events = new EventSource("/events");
events.addEventListener("open", () => {
  setStatus(drawn === 0 ? "waiting" : "live", drawn === 0 ? "Waiting for rows…" : "Live");
});
events.addEventListener("snapshot", (event) => {
  show(JSON.parse(event.data));
  setStatus("live", "Live");
});
// EventSource retries by itself after a network error or the end of the stream,
// but gives up on an HTTP error (the server refusing more pages, say).
events.addEventListener("error", () => {
  if (events.readyState === EventSource.CLOSED) {
    setStatus("lost", "Disconnected: reload the page to try again");
  } else {
    setStatus("lost", "Connection lost, reconnecting…");
  }
});
