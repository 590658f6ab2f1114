// Draws mignet's report from the data mignet put into the page (element #mignet-data), with Apache ECharts.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('mignet-data').textContent);
  var migrations = data.migrations;
  var clients = data.clients;
  var failedCount = migrations.filter(function (m) { return m.failed; }).length;
  var pointCount = clients.reduce(function (n, c) { return n + c.points.length; }, 0);
  // SVG keeps small plots crisp and inspectable; tens of thousands of points draw faster on a canvas.
  var renderer = pointCount > 5000 ? 'canvas' : 'svg';
  var PHASE_COLORS = ['#f4a261', '#2a9d8f', '#e76f51', '#8ab17d', '#9d4edd', '#e9c46a', '#4895ef', '#b5838d',
    '#6d597a', '#43aa8b', '#f94144'];
  var phaseColor = {};
  migrations.forEach(function (m) {
    m.phases.forEach(function (p) {
      if (!(p.name in phaseColor)) {
        phaseColor[p.name] = PHASE_COLORS[Object.keys(phaseColor).length % PHASE_COLORS.length];
      }
    });
  });

  function chart(id) {
    return echarts.init(document.getElementById(id), null, { renderer: renderer });
  }

  function empty(id, text) {
    var el = document.getElementById(id);
    el.className = 'empty';
    el.textContent = text;
  }

  function fmtMs(v) {
    return v === null || v === undefined ? '?' : v.toFixed(1) + ' ms';
  }

  // Each migration's phases as shaded areas, and the migration itself as a labelled band, on a time axis.
  function phaseAreas() {
    var areas = [];
    migrations.forEach(function (m) {
      areas.push([{ xAxis: m.start, name: m.number + (m.failed ? ' failed' : ''),
        itemStyle: { color: m.failed ? 'rgba(207,34,46,0.10)' : 'rgba(120,120,120,0.10)' },
        label: { show: true, position: 'insideTop', color: '#57606a' } }, { xAxis: m.end }]);
      m.phases.forEach(function (p) {
        areas.push([{ xAxis: p.start, name: '', itemStyle: { color: phaseColor[p.name], opacity: 0.35 } },
          { xAxis: Math.max(p.end, p.start + 1e-6) }]);
      });
    });
    return areas;
  }

  // Legend entries for the phase colours: empty series that carry only a name and a colour.
  function phaseLegendSeries() {
    return Object.keys(phaseColor).map(function (name) {
      return { name: 'phase: ' + name, type: 'line', data: [], color: phaseColor[name], lineStyle: { width: 8 },
        symbol: 'none' };
    });
  }

  function timeChart(id, yName, seriesOf) {
    var series = clients.map(seriesOf);
    var xAxis = { type: 'value', name: 'time [s]', nameLocation: 'middle', nameGap: 28, scale: true };
    if (series.length === 0) {
      // No requests to span the time axis: the migrations do, so their phases still show.
      series.push({ name: 'no client requests', type: 'scatter', data: [] });
      var times = migrations.map(function (m) { return m.start; })
        .concat(data.marks.map(function (m) { return m.t; }));
      var ends = migrations.map(function (m) { return m.end; }).concat(times);
      xAxis.min = Math.floor(Math.min.apply(null, times));
      xAxis.max = Math.ceil(Math.max.apply(null, ends));
    }
    series[0].markArea = { silent: true, data: phaseAreas() };
    // Link changes and failed migrations from events.jsonl, as dashed vertical lines.
    series[0].markLine = { symbol: 'none', animation: false,
      lineStyle: { type: 'dashed', color: '#cf222e' },
      label: { formatter: '{b}', position: 'insideEndTop', color: '#cf222e', fontSize: 10 },
      data: data.marks.map(function (m) { return { xAxis: m.t, name: m.text }; }) };
    series = series.concat(phaseLegendSeries());
    var c = chart(id);
    c.setOption({
      animation: false,
      grid: { left: 70, right: 30, top: 50, bottom: 70 },
      legend: { type: 'scroll', top: 0 },
      tooltip: { trigger: 'item' },
      dataZoom: [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 8 }],
      xAxis: xAxis,
      yAxis: { type: 'value', name: yName, scale: yName !== 'latency [ms]' },
      series: series
    });
    return c;
  }

  function latencyChart() {
    return timeChart('latency-chart', 'latency [ms]', function (client) {
      return { name: client.name, type: 'scatter', symbolSize: 4, large: pointCount > 5000,
        data: client.points.filter(function (p) { return p[1] !== null; }).map(function (p) { return [p[0], p[1]]; }) };
    });
  }

  function valueChart() {
    if (clients.length === 0) {
      empty('value-chart', 'No client requests were recorded in this run.');
      return null;
    }
    return timeChart('value-chart', 'value', function (client) {
      return { name: client.name, type: 'line', step: 'end', showSymbol: false,
        data: client.points.filter(function (p) { return p[2] !== null && p[1] !== null; })
          .map(function (p) { return [p[0] + p[1] / 1000, p[2]]; }) };
    });
  }

  function downtimeChart() {
    if (migrations.length === 0) {
      empty('downtime-chart', 'No migration in this run.');
      return null;
    }
    // A failed migration has no downtime: its bars stay empty and its time is a mark of its own, not on the line.
    var ok = function (m, v) { return m.failed ? null : v; };
    var c = chart('downtime-chart');
    c.setOption({
      animation: false,
      grid: { left: 70, right: 70, top: 50, bottom: 90 },
      legend: { top: 0 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: migrations.map(function (m) { return m.label; }),
        axisLabel: { rotate: migrations.length > 6 ? 30 : 0, interval: 0 } },
      yAxis: [{ type: 'value', name: 'downtime [ms]' }, { type: 'value', name: 'total [ms]' }],
      series: [
        { name: 'client downtime', type: 'bar', data: migrations.map(function (m) { return ok(m, m.downtime_ms); }) },
        { name: 'service paused', type: 'bar',
          data: migrations.map(function (m) { return ok(m, m.service_gap_ms); }) },
        { name: 'total time', type: 'line', yAxisIndex: 1,
          data: migrations.map(function (m) { return ok(m, m.total_ms); }) }
      ].concat(failedCount === 0 ? [] : [
        { name: 'failed (time until rolled back)', type: 'scatter', yAxisIndex: 1, symbol: 'triangle',
          symbolSize: 12, color: '#cf222e',
          data: migrations.map(function (m) { return m.failed ? m.total_ms : null; }) }
      ])
    });
    return c;
  }

  function sweepChart(id, title, field) {
    var strategies = [];
    migrations.forEach(function (m) { if (strategies.indexOf(m.strategy) < 0) { strategies.push(m.strategy); } });
    var c = chart(id);
    c.setOption({
      animation: false,
      title: { text: title, left: 'center', textStyle: { fontSize: 13 } },
      grid: { left: 70, right: 30, top: 60, bottom: 50 },
      legend: { top: 24 },
      tooltip: { trigger: 'item' },
      xAxis: { type: 'log', name: 'state size [bytes]', nameLocation: 'middle', nameGap: 28 },
      yAxis: { type: 'value', name: field === 'total_ms' ? 'total [ms]' : 'downtime [ms]' },
      series: strategies.map(function (s) {
        return { name: s, type: 'line', symbolSize: 8,
          data: migrations.filter(function (m) {
            return !m.failed && m.strategy === s && m.state_size > 0 && m[field] !== null;
          })
            .sort(function (a, b) { return a.state_size - b.state_size; })
            .map(function (m) { return [m.state_size, m[field]]; }) };
      })
    });
    return c;
  }

  function table() {
    var t = document.getElementById('migrations-table');
    var head = t.createTHead().insertRow();
    data.tableColumns.forEach(function (col) {
      var th = document.createElement('th');
      th.textContent = col;
      head.appendChild(th);
    });
    var body = t.createTBody();
    migrations.forEach(function (m) {
      var row = body.insertRow();
      row.className = m.failed ? 'migration failed' : 'migration';
      if (m.failed) {
        row.title = 'failed and rolled back: ' + (m.columns.error || '');
      }
      data.tableColumns.forEach(function (col) { row.insertCell().textContent = m.columns[col] || ''; });
    });
  }

  // One table of the links as built, one of their run-time changes: a lab's impairments are read off here, the
  // plots' dashed lines only say when something changed.
  function linksTables() {
    var links = data.links;
    var severalNetworks = links.networks > 1;
    var runs = links.changes.some(function (c) { return c.run; });
    function header(t, columns) {
      var row = t.createTHead().insertRow();
      columns.forEach(function (col) {
        var th = document.createElement('th');
        th.textContent = col;
        row.appendChild(th);
      });
      return t.createTBody();
    }
    function cell(row, text, className) {
      var td = row.insertCell();
      td.textContent = text;
      if (className) {
        td.className = className;
      }
    }
    function params(row, value) {
      cell(row, value === null ? 'none' : value, value === null ? 'none' : '');
    }
    var start = header(document.getElementById('links-table'),
      (severalNetworks ? ['network'] : []).concat(['link a \u2013 b', 'a \u2192 b', 'b \u2192 a']));
    links.initial.forEach(function (l) {
      var row = start.insertRow();
      row.className = 'link';
      if (severalNetworks) {
        cell(row, String(l.network));
      }
      cell(row, l.a + ' \u2013 ' + l.b);
      params(row, l.a_to_b);
      params(row, l.b_to_a);
    });
    var changes = document.getElementById('link-changes-table');
    if (links.changes.length === 0) {
      changes.outerHTML = '<p class="empty">No link changed during the run.</p>';
      return;
    }
    var body = header(changes, ['time [s]'].concat(runs ? ['run'] : [])
      .concat(['link a \u2013 b', 'change', 'a \u2192 b', 'b \u2192 a']));
    links.changes.forEach(function (c) {
      var row = body.insertRow();
      row.className = 'link-change';
      cell(row, c.t.toFixed(3), 'time');
      if (runs) {
        cell(row, c.run);
      }
      cell(row, c.a + ' \u2013 ' + c.b);
      cell(row, c.change, c.change === 'set' ? '' : c.change);
      if (c.change === 'set') {
        params(row, c.a_to_b);
        params(row, c.b_to_a);
      } else {
        cell(row, '');
        cell(row, '');
      }
    });
  }

  var requestCount = pointCount;
  var lost = clients.reduce(function (n, c) { return n + c.lost; }, 0);
  // A run without clients or migrations (a lab of links alone) has nothing to plot: one line says so instead of
  // empty charts and an empty table.
  var quiet = clients.length === 0 && migrations.length === 0;
  var linkCount = data.links ? data.links.initial.length : 0;
  var changeCount = data.links ? data.links.changes.length : 0;
  var origin = data.origin ? '; time 0 s is ' + (data.originIsNetworkUp ? 'the network up, ' : '') + data.origin
    : '';
  if (data.directory && data.title.indexOf(data.directory) < 0) {
    document.getElementById('directory').textContent = 'results directory: ' + data.directory;
  }
  document.getElementById('summary').textContent = quiet
    ? 'This run had no client requests and no migrations'
      + (data.links ? ': ' + linkCount + ' link(s), ' + changeCount + ' link change(s)' : '') + origin
    : migrations.length + ' migration(s)' + (failedCount ? ' (' + failedCount + ' failed)' : '') + ', '
      + requestCount + ' client request(s), ' + lost + ' lost' + origin
      + (migrations.length ? '; largest client downtime ' + fmtMs(Math.max.apply(null,
        migrations.map(function (m) { return m.downtime_ms || 0; }))) : '');

  var charts = [];
  if (quiet) {
    ['latency-section', 'value-section', 'downtime-section', 'table-section'].forEach(function (id) {
      document.getElementById(id).hidden = true;
    });
  } else {
    charts = [latencyChart(), valueChart(), downtimeChart()];
    if (data.sweep) {
      document.getElementById('sweep-section').hidden = false;
      charts.push(sweepChart('sweep-downtime-chart', 'client downtime', 'downtime_ms'));
      charts.push(sweepChart('sweep-total-chart', 'total migration time', 'total_ms'));
    }
    table();
  }
  if (data.links) {
    document.getElementById('links-section').hidden = false;
    linksTables();
  }
  window.addEventListener('resize', function () {
    charts.forEach(function (c) { if (c) { c.resize(); } });
  });
  document.body.setAttribute('data-migrations', String(migrations.length));
  document.body.setAttribute('data-failed-migrations', String(failedCount));
  document.body.setAttribute('data-links', String(linkCount));
  document.body.setAttribute('data-link-changes', String(changeCount));
  document.body.setAttribute('data-rendered', 'yes');
})();
