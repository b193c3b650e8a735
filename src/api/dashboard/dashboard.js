// The dashboard's script: plain browser JavaScript, no build step. Reads
// GET /v1/dashboard with the operator key kept in sessionStorage and redraws
// every `refresh` seconds (?refresh=N in the page address, default 5).
(function () {
  'use strict';
  var params = new URLSearchParams(location.search);
  var every = Math.max(1, Number(params.get('refresh')) || 5);
  var timer = null;
  var $ = function (id) {
    return document.getElementById(id);
  };
  var esc = function (s) {
    return String(s === null || s === undefined ? '' : s).replace(/[&<>"']/g, function (c) {
      return '&#' + c.charCodeAt(0) + ';';
    });
  };
  var key = function () {
    return sessionStorage.getItem('ei-operator-key');
  };

  function showLogin(message) {
    if (timer) clearTimeout(timer);
    $('app').hidden = true;
    $('login').hidden = false;
    $('login-error').textContent = message || '';
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return null;
    if (seconds < 90) return Math.round(seconds) + ' s';
    if (seconds < 5400) return Math.round(seconds / 60) + ' min';
    if (seconds < 172800) return (seconds / 3600).toFixed(1) + ' h';
    return (seconds / 86400).toFixed(1) + ' days';
  }

  function chart(g) {
    var w = 320,
      h = 120,
      pad = 4;
    var pts = g.series;
    var t0 = new Date(pts[0].at).getTime(),
      t1 = new Date(pts[pts.length - 1].at).getTime();
    if (t1 === t0) t0 = t1 - 60000;
    // the scale follows the figures and the target; a far-off maximum is drawn only when it fits
    var top = Math.max(g.targetAvailable * 1.5, 2);
    pts.forEach(function (p) {
      top = Math.max(top, p.available * 1.15, p.target * 1.15);
    });
    var showMax = pts.every(function (p) {
      return p.max <= top;
    });
    var x = function (at) {
      return pad + ((new Date(at).getTime() - t0) / (t1 - t0)) * (w - 2 * pad);
    };
    var y = function (v) {
      return h - pad - (v / top) * (h - 2 * pad);
    };
    var path = function (field) {
      return pts
        .map(function (p, i) {
          return (i ? 'L' : 'M') + x(p.at).toFixed(1) + ',' + y(p[field]).toFixed(1);
        })
        .join(' ');
    };
    return (
      '<svg class="chart" viewBox="0 0 ' +
      w +
      ' ' +
      h +
      '" preserveAspectRatio="none" role="img" aria-label="available over time">' +
      (showMax ? '<path d="' + path('max') + '" fill="none" stroke="#9aa1b1" stroke-dasharray="4 3" stroke-width="1"/>' : '') +
      '<text x="' +
      (w - pad) +
      '" y="12" text-anchor="end" font-size="10" fill="#6b7385">' +
      Math.round(top) +
      '</text>' +
      '<text x="' +
      (w - pad) +
      '" y="' +
      (h - pad - 2) +
      '" text-anchor="end" font-size="10" fill="#6b7385">0</text>' +
      '<path d="' +
      path('target') +
      '" fill="none" stroke="#1f9d55" stroke-dasharray="4 3" stroke-width="1"/>' +
      '<path d="' +
      path('min') +
      '" fill="none" stroke="#d9480f" stroke-dasharray="4 3" stroke-width="1.2"/>' +
      '<path data-testid="available-line" d="' +
      path('available') +
      '" fill="none" stroke="#3b5bdb" stroke-width="2"/>' +
      '<circle cx="' +
      x(pts[pts.length - 1].at).toFixed(1) +
      '" cy="' +
      y(pts[pts.length - 1].available).toFixed(1) +
      '" r="3" fill="#3b5bdb"/>' +
      '</svg>'
    );
  }

  // lifespan: how long numbers stayed allocated, a histogram of the released holdings in days
  function lifespanChart(l) {
    var w = 320,
      h = 64,
      pad = 4,
      label = 12;
    var top = Math.max.apply(
      null,
      l.buckets
        .map(function (b) {
          return b.n;
        })
        .concat([1])
    );
    var bw = (w - 2 * pad) / l.buckets.length;
    var name = function (b) {
      return b.to === null ? '≥' + b.from + 'd' : b.from + '–' + b.to + 'd';
    };
    return (
      '<svg class="hist" data-testid="lifespan-chart" viewBox="0 0 ' +
      w +
      ' ' +
      h +
      '" role="img" aria-label="lifespan histogram">' +
      l.buckets
        .map(function (b, i) {
          var bh = (b.n / top) * (h - label - 2 * pad);
          var x = pad + i * bw;
          return (
            '<rect data-testid="lifespan-bar" data-n="' +
            b.n +
            '" x="' +
            (x + 2).toFixed(1) +
            '" y="' +
            (h - label - pad - bh).toFixed(1) +
            '" width="' +
            (bw - 4).toFixed(1) +
            '" height="' +
            bh.toFixed(1) +
            '" fill="#3b5bdb"><title>' +
            esc(name(b) + ': ' + b.n) +
            '</title></rect>' +
            '<text x="' +
            (x + bw / 2).toFixed(1) +
            '" y="' +
            (h - 2) +
            '" text-anchor="middle" font-size="9" fill="#6b7385">' +
            esc(name(b)) +
            '</text>'
          );
        })
        .join('') +
      '</svg>'
    );
  }

  function lifespanLine(l) {
    if (!l.count) return 'lifespan: no releases seen yet';
    return 'lifespan: held ' + l.p50 + ' days (median; p25 ' + l.p25 + ', p75 ' + l.p75 + ', p90 ' + l.p90 + ') over ' + l.count + ' releases';
  }

  // predicted releases: the held numbers expected back within the window, as a bar of all held
  function releasesLine(r) {
    if (!r) return 'predicted releases: off';
    var pct = r.held ? Math.min(100, (100 * r.predictedReleases) / r.held) : 0;
    return (
      '<div class="bar" title="expected back / held"><span style="width:' +
      pct.toFixed(0) +
      '%"></span></div>predicted releases: ' +
      r.predictedReleases.toFixed(1) +
      ' of ' +
      r.held +
      ' held expected back within ' +
      Math.round(r.windowDays * 10) / 10 +
      ' days'
    );
  }

  function groupingCard(g) {
    var low = g.available < g.minAvailable;
    var dep = duration(g.depletionSeconds);
    var soon = g.available === 0 || (g.depletionSeconds !== null && g.depletionSeconds < 86400);
    return (
      '<div class="card' +
      (low ? ' low' : '') +
      '" data-testid="grouping" data-grouping="' +
      esc(g.name) +
      '">' +
      '<h3>' +
      esc(g.name) +
      '</h3><div class="tags">' +
      esc(g.tags.join(' + ')) +
      '</div>' +
      '<div class="figures">' +
      '<div><b class="avail" data-testid="available">' +
      g.available +
      '</b>available</div>' +
      '<div><b data-testid="thresholds">' +
      g.minAvailable +
      ' / ' +
      g.targetAvailable +
      ' / ' +
      g.maxAvailable +
      '</b>min / target / max</div>' +
      '<div><b data-testid="on-order">' +
      g.onOrder +
      '</b>on order</div>' +
      '<div><b data-testid="in-quarantine">' +
      g.inQuarantine +
      '</b>in quarantine</div>' +
      '<div><b data-testid="allocated">' +
      g.allocated +
      '</b>allocated</div>' +
      '</div>' +
      chart(g) +
      '<div class="depletion' +
      (soon ? ' soon' : '') +
      '" data-testid="depletion">' +
      (g.available === 0
        ? 'empty' + (g.allocationRate > 0 ? ' (' + g.allocationRate.toFixed(1) + ' allocations/h)' : '')
        : dep
          ? 'runs out in ~' + dep + ' at ' + g.allocationRate.toFixed(1) + ' allocations/h'
          : 'not depleting (no allocations in the window)') +
      (low ? ' · below minimum' : '') +
      '</div>' +
      lifespanChart(g.lifespan) +
      '<div class="depletion" data-testid="lifespan">' +
      esc(lifespanLine(g.lifespan)) +
      '</div>' +
      '<div class="depletion" data-testid="predicted-releases">' +
      releasesLine(g.releases) +
      '</div></div>'
    );
  }

  function ordersTable(orders) {
    if (!orders.length) return '<div class="empty">No orders in flight.</div>';
    return (
      '<table data-testid="orders-table"><thead><tr><th>order</th><th>carrier</th><th>direction</th><th>status</th><th>requested</th><th>progress</th><th class="num">accepted</th><th class="num">rejected</th><th class="num">quantity</th></tr></thead><tbody>' +
      orders
        .map(function (o) {
          var pct = o.quantity ? Math.min(100, (100 * o.accepted) / o.quantity) : 0;
          return (
            '<tr data-testid="order" data-order="' +
            esc(o.id) +
            '"><td><a href="' +
            esc(o.workflowUrl) +
            '" target="_blank" rel="noopener">' +
            esc(o.id.slice(0, 8)) +
            '</a></td>' +
            '<td>' +
            esc(o.providerName) +
            '</td><td>' +
            esc(o.direction) +
            '</td><td><span class="pill">' +
            esc(o.status) +
            '</span></td>' +
            '<td>' +
            esc(new Date(o.requestedAt).toLocaleTimeString()) +
            '</td>' +
            '<td><div class="bar"><span style="width:' +
            pct.toFixed(0) +
            '%"></span></div></td>' +
            '<td class="num">' +
            o.accepted +
            '</td><td class="num">' +
            o.rejected +
            '</td><td class="num">' +
            o.quantity +
            '</td></tr>'
          );
        })
        .join('') +
      '</tbody></table>'
    );
  }

  function cleanBar(v) {
    var colour = v >= 0.8 ? '#1f9d55' : v >= 0.6 ? '#e8a317' : '#d9480f';
    return '<span class="clean"><span style="width:' + (v * 100).toFixed(0) + '%;background:' + colour + '"></span></span>' + v.toFixed(2);
  }

  function quarantineTable(q) {
    if (!q.endpoints.length) return '<div class="empty">Nothing in quarantine.</div>';
    return (
      '<table data-testid="quarantine-table"><thead><tr><th>endpoint</th><th>state</th><th>voice cleanliness</th><th>messaging cleanliness</th><th>until</th><th>carrier</th></tr></thead><tbody>' +
      q.endpoints
        .map(function (e) {
          return (
            '<tr data-testid="quarantined" data-address="' +
            esc(e.address) +
            '"><td><a href="' +
            esc(e.workflowUrl) +
            '" target="_blank" rel="noopener">' +
            esc(e.address) +
            '</a></td>' +
            '<td><span class="pill">' +
            esc(e.state) +
            '</span></td><td>' +
            cleanBar(e.voiceCleanliness) +
            '</td><td>' +
            cleanBar(e.messagingCleanliness) +
            '</td>' +
            '<td>' +
            (e.until ? esc(new Date(e.until).toLocaleString()) : '—') +
            '</td><td>' +
            esc(e.provider || '') +
            '</td></tr>'
          );
        })
        .join('') +
      '</tbody></table>' +
      (q.total > q.endpoints.length ? '<p class="tags">showing ' + q.endpoints.length + ' of ' + q.total + '</p>' : '')
    );
  }

  function regionsTable(regions) {
    if (!regions.length) return '<div class="empty">No endpoints yet.</div>';
    return (
      '<table data-testid="regions-table"><thead><tr><th>region</th><th class="num">available</th><th class="num">allocated</th><th class="num">in quarantine, testing, aging</th><th class="num">all</th></tr></thead><tbody>' +
      regions
        .map(function (r) {
          return (
            '<tr data-testid="region" data-region="' +
            esc(r.region) +
            '"><td>' +
            esc(r.region) +
            '</td><td class="num">' +
            r.available +
            '</td><td class="num">' +
            r.allocated +
            '</td><td class="num">' +
            r.pipeline +
            '</td><td class="num">' +
            r.total +
            '</td></tr>'
          );
        })
        .join('') +
      '</tbody></table>'
    );
  }

  function render(d) {
    $('groupings').innerHTML = d.groupings.length ? d.groupings.map(groupingCard).join('') : '<div class="empty">No groupings yet: POST /v1/groupings.</div>';
    $('orders').innerHTML = ordersTable(d.orders);
    $('quarantine').innerHTML = quarantineTable(d.quarantine);
    $('quarantine-total').textContent = d.quarantine.total;
    $('regions').innerHTML = regionsTable(d.regions || []);
    $('states').textContent = Object.keys(d.states)
      .sort()
      .map(function (s) {
        return s.toLowerCase() + ' ' + d.states[s];
      })
      .join(' · ');
    $('updated').textContent = new Date(d.generatedAt).toLocaleTimeString();
    $('updated').dateTime = d.generatedAt;
    $('temporal').href = d.temporalWebUrl;
  }

  function refresh() {
    if (timer) clearTimeout(timer);
    fetch('/v1/dashboard?window=' + encodeURIComponent($('window').value), { headers: { authorization: 'Bearer ' + key() } })
      .then(function (res) {
        if (res.status === 401 || res.status === 403) {
          sessionStorage.removeItem('ei-operator-key');
          return res.json().then(function (b) {
            showLogin(b.detail || 'not an operator key');
            return null;
          });
        }
        if (!res.ok)
          return res.json().then(function (b) {
            throw new Error(b.detail || 'HTTP ' + res.status);
          });
        return res.json();
      })
      .then(function (d) {
        if (!d) return;
        $('error').textContent = '';
        render(d);
        timer = setTimeout(refresh, every * 1000);
      })
      .catch(function (err) {
        $('error').textContent = 'could not refresh: ' + err.message + ' (retrying)';
        timer = setTimeout(refresh, every * 1000);
      });
  }

  function start() {
    $('login').hidden = true;
    $('app').hidden = false;
    $('every').textContent = every;
    refresh();
  }

  $('login-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    sessionStorage.setItem('ei-operator-key', $('key').value.trim());
    start();
  });
  $('logout').addEventListener('click', function () {
    sessionStorage.removeItem('ei-operator-key');
    showLogin('');
  });
  $('window').addEventListener('change', refresh);
  if (key()) start();
  else showLogin('');
})();
