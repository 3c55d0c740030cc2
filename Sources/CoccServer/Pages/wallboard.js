/*
 * The supervisor wallboard: an account's team, or a group admin's groups, from
 * /coccinterface/state/stream (pushed on every change, not polled), and listen, whisper, barge
 * and force release through the CJI plugin with pwdtype=token.
 */
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var session = null;   // {team, usertype, user, token, state}
  var view = null;

  function setUp() {
    cocc.applyI18n();
    $('team').value = cocc.store('cocc.team') || '';
    $('usertype').value = cocc.store('cocc.wallboard.usertype') || 'account';
    $('user').value = cocc.store('cocc.wallboard.user') || '';
    $('phone').value = cocc.store('cocc.wallboard.phone') || '';
    $('large').checked = cocc.store('cocc.wallboard.large') === 'yes';
    document.body.classList.toggle('large', $('large').checked);
    $('large').addEventListener('change', function () {
      document.body.classList.toggle('large', $('large').checked);
      cocc.store('cocc.wallboard.large', $('large').checked ? 'yes' : 'no');
    });
    $('phone').addEventListener('change', function () { cocc.store('cocc.wallboard.phone', $('phone').value.trim()); });
    $('login-form').addEventListener('submit', function (e) { e.preventDefault(); login(); });
    $('logout').addEventListener('click', logout);
    setInterval(tick, 1000);
  }

  function login() {
    var team = $('team').value.trim(), usertype = $('usertype').value, user = $('user').value.trim();
    $('login-message').textContent = '';
    cocc.token(team, usertype, user, $('password').value).then(function (t) {
      $('password').value = '';
      cocc.store('cocc.team', team);
      cocc.store('cocc.wallboard.usertype', usertype);
      cocc.store('cocc.wallboard.user', user);
      session = { team: team, usertype: usertype, user: user, token: t.token };
      var url = '/coccinterface/state/stream?view=wallboard&token=' + encodeURIComponent(t.token);
      session.state = cocc.stream(function () { return url; }, { state: onState, status: connection });
      $('login').hidden = true;
      $('board').hidden = false;
    }).catch(function (e) { $('login-message').textContent = e && e.message ? e.message : cocc.t('network_error'); });
  }

  function logout() {
    if (session) { session.state.stop(); }
    session = null;
    view = null;
    render();
    $('board').hidden = true;
    $('login').hidden = false;
  }

  var conn = cocc.connectionIndicator($('conn'));
  function connection(up) { conn.set(up); }

  function onState(v) {
    cocc.syncClock(v.at);
    cocc.useTeamLanguage(v.language);
    view = v;
    render();
  }

  function supervise(name, agent) {
    var params = {
      target: agent.number, phonenumber: $('phone').value.trim(), pwdtype: 'token', password: session.token,
      usertype: session.usertype, user: session.user, orgidentity: session.team
    };
    cocc.cji(name, params).then(function (r) {
      var el = $('message');
      el.textContent = r.code === 1 ? '' : r.message;
      el.className = r.code === 1 ? 'message' : 'message error';
    });
  }

  // Sections and cards are made once and updated in place: a supervisor's focus (keyboard or
  // screen reader) stays on its button while the states around it change.
  var sections = {}, cards = {};

  function figure(key, name) {
    var value = cocc.el('span', { className: 'value', text: '–' });
    var box = cocc.el('div', { className: 'figure', 'data-figure': name }, [value, cocc.el('span', { className: 'label', 'data-i18n': key, text: cocc.t(key) })]);
    return { box: box, value: value };
  }

  function section(g) {
    var s = sections[g.id];
    if (s) { return s; }
    s = { figures: {}, title: cocc.el('h2') };
    s.root = cocc.el('section', { className: 'panel group', 'data-group': g.id });
    s.root.appendChild(s.title);
    var row = cocc.el('div', { className: 'figures' });
    [['waiting', 'waiting'], ['longest_wait', 'longest'], ['available', 'available'], ['signed_in', 'signed-in'],
     ['answered_today', 'answered'], ['abandoned_today', 'abandoned']].forEach(function (x) {
      s.figures[x[1]] = figure(x[0], x[1]);
      row.appendChild(s.figures[x[1]].box);
    });
    s.root.appendChild(row);
    s.grid = cocc.el('div', { className: 'agents' });
    s.root.appendChild(s.grid);
    $('groups').appendChild(s.root);
    sections[g.id] = s;
    return s;
  }

  function agentCard(s, g, a) {
    var id = 'g' + g.id + '-a' + a.number;
    var c = cards[id];
    if (c) { return c; }
    var nameId = 'g' + g.id + '-n' + a.number;
    c = { id: id, agent: a, title: cocc.el('h3', { id: nameId }), state: cocc.el('p', { className: 'state' }),
          reason: cocc.el('p', { className: 'reason' }), since: cocc.el('p', { className: 'since' }), party: cocc.el('p', { className: 'party' }),
          buttons: [] };
    c.root = cocc.el('article', { id: id, 'data-agent': a.number }, [c.title, c.state, c.reason, c.since, c.party]);
    var actions = cocc.el('div', { className: 'actions' });
    [['silentMonitorCJI', 'listen'], ['whisperCJI', 'whisper'], ['intrudeCJI', 'barge'], ['forcedReleaseCJI', 'force_release']].forEach(function (x) {
      var b = cocc.el('button', { type: 'button', 'aria-describedby': nameId, 'data-action': x[1], 'data-i18n': x[1], text: cocc.t(x[1]) });
      b.addEventListener('click', function () { supervise(x[0], c.agent); });
      c.buttons.push(b);
      actions.appendChild(b);
    });
    c.root.appendChild(actions);
    s.grid.appendChild(c.root);
    cards[id] = c;
    return c;
  }

  function render() {
    var seenSections = {}, seenCards = {};
    if (view) {
      view.groups.forEach(function (g) {
        var s = section(g);
        seenSections[g.id] = true;
        s.root.setAttribute('aria-label', g.name);
        s.title.textContent = g.name + (g.queue ? ' · ' + g.queue : '');
        s.figures.waiting.value.textContent = String(g.waiting);
        s.figures.longest.value.setAttribute('data-since', g.longestWaitSince || '');
        s.figures.available.value.textContent = String(g.available);
        s.figures['signed-in'].value.textContent = String(g.signedIn);
        s.figures.answered.value.textContent = String(g.answeredToday);
        s.figures.abandoned.value.textContent = String(g.abandonedToday);
        view.agents.forEach(function (a) {
          var m = a.groups.filter(function (x) { return x.id === g.id; })[0];
          if (!m) { return; }
          var c = agentCard(s, g, a);
          seenCards[c.id] = true;
          c.agent = a;
          var status = m.signedIn ? a.status : 'logout';
          c.root.className = 'agent st-' + status;
          c.root.setAttribute('data-status', status);
          c.title.textContent = a.number + (a.name ? ' ' + a.name : '');
          c.state.textContent = cocc.statusWord(status);
          c.reason.textContent = a.reason && status !== 'logout' ? cocc.reasonWord(a.reason) : '';
          c.since.setAttribute('data-since', status === 'logout' ? '' : a.since);  // no clock for a logged-out agent
          c.party.textContent = a.call ? cocc.t('talking_to') + ' ' + a.call.number + (a.call.held ? ' (' + cocc.t('held') + ')' : '') : '';
          c.buttons.forEach(function (b) { b.disabled = !a.call; });
        });
      });
    }
    Object.keys(cards).forEach(function (id) { if (!seenCards[id]) { cards[id].root.parentNode.removeChild(cards[id].root); delete cards[id]; } });
    Object.keys(sections).forEach(function (id) { if (!seenSections[id]) { $('groups').removeChild(sections[id].root); delete sections[id]; } });
    conn.render();
    tick();
  }

  function tick() {
    var now = cocc.now();
    Array.prototype.forEach.call(document.querySelectorAll('[data-since]'), function (el) {
      var since = Number(el.getAttribute('data-since'));
      el.textContent = since ? cocc.duration(now - since) : '–';
    });
  }

  setUp();
})();
