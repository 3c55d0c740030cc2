/*
 * The agent desk: login with a token (the password is sent once, in a POST body, and kept
 * nowhere), the agent's state from /coccinterface/state/stream, its call events from
 * /coccinterface/events, and every action through the CJI plugin with pwdtype=token.
 */
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var session = null;      // {team, agent, token, events, state}
  var view = null;         // the last state view
  var consultActive = false;
  var incoming = null;     // the ringing inbound call's event
  var figuresTimer = null;

  function creds() {
    return { orgidentity: session.team, usertype: 'agent', user: session.agent, pwdtype: 'token', password: session.token };
  }
  function withCreds(extra) {
    var p = creds();
    Object.keys(extra || {}).forEach(function (k) { p[k] = extra[k]; });
    return p;
  }
  function say(id, result) {
    var el = $(id);
    if (!result || result.code === 1) { el.textContent = ''; el.className = 'message'; return; }
    el.textContent = result.message;
    el.className = 'message error';
  }
  function act(name, extra) {
    return cocc.cji(name, withCreds(extra)).then(function (r) { say('call-message', r); return r; });
  }

  // ---- login and logout ----
  function setUp() {
    cocc.applyI18n();
    var reason = $('reason');
    cocc.REASONS.forEach(function (r) { reason.appendChild(cocc.el('option', { value: r, 'data-i18n': 'r_' + r, text: cocc.t('r_' + r) })); });
    var keys = $('keypad');
    '123456789*0#'.split('').forEach(function (k) {
      var b = cocc.el('button', { type: 'button', 'aria-label': cocc.t('dtmf') + ' ' + k, text: k });
      b.addEventListener('click', function () { act('dtmfCJI', { dtmf: k }); });
      keys.appendChild(b);
    });
    $('team').value = cocc.store('cocc.team') || '';
    $('agent').value = cocc.store('cocc.agent') || '';
    $('login-form').addEventListener('submit', function (e) { e.preventDefault(); login(); });
    $('logout').addEventListener('click', logout);
    $('pause').addEventListener('click', function () {
      act('queuePauseCJI', { type: '1', pause_reason: $('reason').value, pushevent: 'yes' });
    });
    $('ready').addEventListener('click', function () { act('queuePauseCJI', { type: '2', pause_reason: '', pushevent: 'yes' }); });
    $('end-acw').addEventListener('click', function () { act('acwOffCJI', { pushevent: 'yes' }); });
    $('dial').addEventListener('click', dial);
    $('consult').addEventListener('click', consult);
    $('hold').addEventListener('click', function () { act('holdCJI', { silence: '0' }); });
    $('resume').addEventListener('click', function () { act('resumeCJI', {}); });
    $('transfer').addEventListener('click', function () { act('transferCJI', {}).then(afterConsultAction); });
    $('conference').addEventListener('click', function () { act('conferenceCJI', {}); });
    $('call-return').addEventListener('click', function () { act('callReturnCJI', {}).then(afterConsultAction); });
    $('hangup').addEventListener('click', function () {
      act('hangupCJI', { uniqueid: '', targetagent: session.agent, target: 'all' });
    });
    $('to-ivr').addEventListener('click', function () {
      act('agenttoivrCJI', { ivrexten: $('ivr-exten').value, ivrflow: $('ivr-flow').value, transfer: $('ivr-keep').checked ? '1' : '0' });
    });
    setInterval(tick, 1000);
    render();
  }

  function login() {
    var team = $('team').value.trim(), agent = $('agent').value.trim(), password = $('password').value;
    $('login-message').textContent = '';
    $('login-button').disabled = true;
    cocc.token(team, 'agent', agent, password).then(function (t) {
      session = { team: team, agent: agent, token: t.token };
      return cocc.cji('loginCJI', creds());
    }).then(function (r) {
      $('login-button').disabled = false;
      // Code 3: already logged in (another tab, or this page reloaded): the desk takes over.
      if (r.code !== 1 && r.code !== 3) { $('login-message').textContent = r.message; session = null; return; }
      $('password').value = '';   // not kept, not even in the field
      cocc.store('cocc.team', team);
      cocc.store('cocc.agent', agent);
      $('login').hidden = true;
      $('work').hidden = false;
      $('me').textContent = agent;
      startStreams();
      loadCalls();
      loadFigures();
    }).catch(function (e) {
      $('login-button').disabled = false;
      session = null;
      $('login-message').textContent = e && e.message ? e.message : cocc.t('network_error');
    });
  }

  function logout() {
    if (!session) { return; }
    var s = session;
    cocc.cji('logoutCJI', creds()).then(function () {
      s.events.stop();
      s.state.stop();
      session = null;
      view = null;
      $('work').hidden = true;
      $('login').hidden = false;
      $('events').textContent = '';
      renderGroups(null);
    });
  }

  // ---- streams ----
  function startStreams() {
    var token = encodeURIComponent(session.token);
    session.events = cocc.stream(function (lastId) {
      return '/coccinterface/events?token=' + token + (lastId ? '&lastEventId=' + encodeURIComponent(lastId) : '');
    }, { message: onEvent, status: connection });
    session.state = cocc.stream(function () { return '/coccinterface/state/stream?token=' + token; }, { state: onState, status: connection });
  }

  var conn = cocc.connectionIndicator($('conn'));
  function connection(up) { conn.set(up); }

  function onState(v) {
    cocc.syncClock(v.at);
    if (cocc.useTeamLanguage(v.language)) { render(); }
    var before = view && view.agents[0] ? view.agents[0].status : null;
    view = v;
    render();
    var now = view.agents[0] ? view.agents[0].status : null;
    if (before !== now) { scheduleFigures(); }
  }

  function onEvent(data, id) {
    var e = cocc.parseEvent(data);
    var li = cocc.el('li', { 'data-eventid': id, 'data-source': e.source || '', 'data-event': e.event || '' }, [
      cocc.el('code', { text: data })
    ]);
    var list = $('events');
    list.insertBefore(li, list.firstChild);
    while (list.children.length > 200) { list.removeChild(list.lastChild); }
    if (e.source === 'AGENT' && e.event === 'ringing' && e.from === 'dialin') {
      incoming = e;
      $('in-number').textContent = e.calleridnum || '';
      $('in-queue').textContent = queueName(e.AgentGroupId, e.didnumber);
      $('in-userdata').textContent = e.userdata || '';
      $('incoming').hidden = false;
    }
    if (e.source === 'AGENT' && (e.event === 'answer' || e.event === 'hangup')) { $('incoming').hidden = true; incoming = null; }
    if (e.source === 'CONSULT' && (e.event === 'ringing' || e.event === 'answer')) { consultActive = true; }
    if (e.source === 'CONSULT' && e.event === 'hangup') { consultActive = false; }
    if (e.source === 'CONVERSATION' && e.event === 'hangup') {
      consultActive = false;
      $('incoming').hidden = true;
      setTimeout(loadCalls, 300);
      scheduleFigures();
    }
    render();
  }

  function afterConsultAction(r) { if (r.code === 1) { consultActive = false; render(); } }

  function queueName(groupId, did) {
    var g = view && view.groups.filter(function (x) { return String(x.id) === String(groupId); })[0];
    return g ? g.name + ' (' + g.queue + ')' : (did || '');
  }

  // ---- calls ----
  function dial() {
    var number = $('number').value.trim();
    var me = view && view.agents[0];
    var group = me && me.groups.filter(function (g) { return g.signedIn; })[0];
    act('makeCallCJI', {
      targetdn: number, targettype: $('dial-type').value, agentgroupid: group ? group.id : '', modeltype: '', model_id: '', userdata: ''
    });
  }

  function consult() {
    var number = $('number').value.trim();
    var me = view && view.agents[0];
    var inner = $('dial-type').value === 'inner';
    var group = me && me.call ? me.call.group : '';
    act('consultCJI', { targetdn: number, agentgroupid: inner ? group : '0', consulttype: inner ? 'internal' : 'external' }).then(function (r) {
      if (r.code === 1) { consultActive = true; render(); }
    });
  }

  // ---- rendering ----
  function render() {
    var me = view && view.agents[0];
    var status = me ? me.status : 'logout';
    var state = $('state');
    var text = cocc.statusWord(status);
    if (me && me.reason && status === 'pause') { text += ' – ' + cocc.reasonWord(me.reason); }
    state.textContent = text;
    state.setAttribute('data-status', status);
    state.className = 'state st-' + status;
    $('exten').textContent = me && me.exten ? '(' + me.exten + ')' : '';
    renderGroups(me);
    var call = me && me.call;
    $('call-number').textContent = call ? call.number : '–';
    var flags = [];
    if (call && call.held) { flags.push(cocc.t('held')); }
    if (call && call.consulted) { flags.push(cocc.t('consulted')); }
    $('call-flags').textContent = flags.join(', ');
    var loggedIn = status !== 'logout';
    $('pause').disabled = !loggedIn;
    $('ready').disabled = !loggedIn || !(me && me.reason);
    $('end-acw').disabled = !(me && me.acwSince);
    $('dial').disabled = !loggedIn || !!call;
    $('consult').disabled = !call || call.consulted;
    $('hold').disabled = !call || call.held || consultActive || call.consulted;
    $('resume').disabled = !call || !call.held;
    $('transfer').disabled = !consultActive;
    $('conference').disabled = !consultActive;
    $('call-return').disabled = !consultActive;
    $('hangup').disabled = !call;
    $('to-ivr').disabled = !call || call.consulted;
    conn.render();
    tick();
  }

  // Rows are made once per group and updated in place, so a select that is open or focused
  // is not replaced under the agent's hand when the next state arrives.
  var groupRows = {};
  function renderGroups(me) {
    var body = $('groups');
    var wanted = me ? me.groups.map(function (m) { return String(m.id); }) : [];
    Object.keys(groupRows).forEach(function (id) {
      if (wanted.indexOf(id) < 0) { body.removeChild(groupRows[id].row); delete groupRows[id]; }
    });
    if (!me) { return; }
    me.groups.forEach(function (m) {
      var g = view.groups.filter(function (x) { return x.id === m.id; })[0] || { name: String(m.id), queue: '' };
      var name = g.name + (g.queue ? ' (' + g.queue + ')' : '');
      var r = groupRows[String(m.id)] || makeGroupRow(m.id, body);
      r.member = m;
      r.name.textContent = name;
      r.mark.textContent = m.signedIn ? '✔' : '–';
      r.row.setAttribute('data-signed-in', m.signedIn ? 'yes' : 'no');
      r.toggle.textContent = cocc.t(m.signedIn ? 'check_out' : 'check_in');
      r.toggle.setAttribute('aria-label', r.toggle.textContent + ': ' + name);
      r.work.setAttribute('aria-label', cocc.t('work_mode') + ': ' + name);
      r.acw.setAttribute('aria-label', cocc.t('acw_mode') + ': ' + name);
      Array.prototype.forEach.call(r.work.options, function (o) { o.textContent = cocc.t('wm_' + o.value); });
      Array.prototype.forEach.call(r.acw.options, function (o) { o.textContent = cocc.t('acw_' + o.value); });
      if (document.activeElement !== r.work) { r.work.value = m.workMode || 'all'; }
      if (document.activeElement !== r.acw) { r.acw.value = String(m.acwMode || 3); }
      r.work.disabled = !m.signedIn;
      r.acw.disabled = !m.signedIn;
    });
  }

  function makeGroupRow(id, body) {
    var r = { name: cocc.el('th', { scope: 'row' }), mark: cocc.el('td'), toggle: cocc.el('button', { type: 'button', 'data-group': id }),
              work: cocc.el('select'), acw: cocc.el('select') };
    ['all', 'dialin', 'dialout'].forEach(function (w) { r.work.appendChild(cocc.el('option', { value: w })); });
    ['1', '2', '3'].forEach(function (a) { r.acw.appendChild(cocc.el('option', { value: a })); });
    r.toggle.addEventListener('click', function () {
      act('queueActionCJI', { type: r.member.signedIn ? '2' : '1', list: String(id), deviceexten: '', pushevent: 'yes' });
    });
    r.work.addEventListener('change', function () { act('workwayActionCJI', { status: r.work.value, agent_group_id: String(id), pushevent: 'yes' }); });
    r.acw.addEventListener('change', function () { act('acwActionCJI', { type: r.acw.value, agent_group_id: String(id), pushevent: 'yes' }); });
    r.row = cocc.el('tr', { 'data-group': id }, [r.name, r.mark, cocc.el('td', {}, [r.toggle]), cocc.el('td', {}, [r.work]), cocc.el('td', {}, [r.acw])]);
    body.appendChild(r.row);
    groupRows[String(id)] = r;
    return r;
  }

  function tick() {
    var me = view && view.agents[0];
    $('state-time').textContent = me ? cocc.duration(cocc.now() - me.since) : '0:00';
    var call = me && me.call;
    $('call-timer').textContent = call ? cocc.duration(cocc.now() - (call.answered || call.started)) : '0:00';
    $('call-timer').setAttribute('data-running', call ? 'yes' : 'no');
    $('call-timer').setAttribute('data-answered', call && call.answered ? 'yes' : 'no');
  }

  // ---- today's figures and calls ----
  function scheduleFigures() {
    clearTimeout(figuresTimer);
    figuresTimer = setTimeout(loadFigures, 500);
  }

  function loadFigures() {
    if (!session) { return; }
    cocc.cji('agentRealtimeCJI', creds()).then(function (r) {
      if (r.code !== 1) { return; }
      // name|number|status|seconds|pauses|6 counts by reason|pause seconds|6 seconds by reason
      var f = String(r.message).split('|');
      var head = $('figures-head'), body = $('figures');
      head.textContent = '';
      body.textContent = '';
      var cols = [cocc.el('th', { text: '' }), cocc.el('th', { text: cocc.t('total') })];
      cocc.REASONS.forEach(function (x) { cols.push(cocc.el('th', { text: cocc.reasonWord(x) })); });
      head.appendChild(cocc.el('tr', {}, cols));
      function row(label, values, format) {
        var cells = [cocc.el('th', { scope: 'row', text: label })];
        values.forEach(function (v) { cells.push(cocc.el('td', { text: format(v) })); });
        body.appendChild(cocc.el('tr', {}, cells));
      }
      row(cocc.t('pauses'), f.slice(4, 11), function (v) { return v; });
      row(cocc.t('pause_time'), f.slice(11, 18), function (v) { return cocc.duration(Number(v)); });
    });
  }

  function loadCalls() {
    if (!session) { return; }
    cocc.getJSON('/coccinterface/calls?token=' + encodeURIComponent(session.token)).then(function (list) {
      if (!list) { return; }
      var body = $('calls');
      body.textContent = '';
      if (list.calls.length === 0) { body.appendChild(cocc.el('tr', {}, [cocc.el('td', { colspan: '6', text: cocc.t('no_calls') })])); }
      list.calls.forEach(function (c) {
        var at = new Date(c.started * 1000);
        var talk = c.answered ? cocc.duration(c.ended - c.answered) : '–';
        var cell = cocc.el('td');
        if (c.recorded) {
          var play = cocc.el('button', { type: 'button', 'aria-label': cocc.t('play') + ' ' + c.number, text: cocc.t('play') });
          play.addEventListener('click', function () { playRecording(c); });
          cell.appendChild(play);
        }
        body.appendChild(cocc.el('tr', { 'data-sessionid': c.sessionid }, [
          cocc.el('td', { text: at.toLocaleTimeString() }), cocc.el('td', { text: cocc.t(c.direction) }),
          cocc.el('td', { text: c.number }), cocc.el('td', { text: talk }), cocc.el('td', { text: c.disposition }), cell
        ]));
      });
    });
  }

  function playRecording(c) {
    cocc.cji('getMonitorCJI', { sessionid: c.sessionid, calldate: c.calldate }).then(function (r) {
      say('call-message', r);
      if (r.code !== 1) { return; }
      var player = $('player');
      player.hidden = false;
      player.setAttribute('data-sessionid', c.sessionid);
      player.src = r.message;
      player.load();
      var playing = player.play();
      if (playing && playing.catch) { playing.catch(function () { /* autoplay refused: the controls are there */ }); }
    });
  }

  setUp();
})();
