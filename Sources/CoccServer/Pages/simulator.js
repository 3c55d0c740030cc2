/* The simulator panel: stands in for the phones and callers of the simulated switch. */
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var token = null;
  cocc.applyI18n();
  $('team').value = cocc.store('cocc.team') || '';
  $('user').value = cocc.store('cocc.simulator.user') || '';
  function say(text) { $('message').textContent = text || ''; }
  function post(path, params) {
    var body = Object.keys(params).map(function (k) { return encodeURIComponent(k) + '=' + encodeURIComponent(params[k]); }).join('&');
    return fetch(path + '?token=' + encodeURIComponent(token), {
      method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: body
    }).then(function (r) { return r.json(); });
  }
  $('login-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var team = $('team').value.trim(), user = $('user').value.trim();
    cocc.token(team, 'account', user, $('password').value).then(function (t) {
      $('password').value = '';
      cocc.store('cocc.team', team);
      cocc.store('cocc.simulator.user', user);
      token = t.token;
      $('login').hidden = true;
      $('panel').hidden = false;
      refresh();
      setInterval(refresh, 1000);
    }).catch(function (err) { $('login-message').textContent = err.message; });
  });
  $('inbound-form').addEventListener('submit', function (e) {
    e.preventDefault();
    post('/simulator/inbound', { from: $('from').value.trim(), to: $('to').value.trim() }).then(function (r) {
      say(r.error || ''); refresh();
    });
  });
  function action(leg, name, extra) {
    var q = extra ? '&digits=' + encodeURIComponent(extra) : '';
    fetch('/simulator/legs/' + leg.uniqueid + '/' + name + '?token=' + encodeURIComponent(token) + q, { method: 'POST' })
      .then(function (r) { return r.json(); }).then(function (r) { say(r.error || ''); refresh(); });
  }
  // The simulator's legs are polled once a second: this panel stands in for phones, not for a CTI view.
  function refresh() {
    cocc.getJSON('/simulator/legs?token=' + encodeURIComponent(token)).then(function (legs) {
      if (!legs) { return; }
      var body = $('legs');
      body.textContent = '';
      legs.forEach(function (leg) {
        var digits = cocc.el('input', { 'aria-label': cocc.t('digits') + ' ' + leg.uniqueid, size: '4', inputmode: 'tel' });
        var buttons = [
          cocc.el('button', { type: 'button', 'data-action': 'answer', 'aria-label': cocc.t('answer') + ' ' + leg.uniqueid, text: cocc.t('answer') }),
          cocc.el('button', { type: 'button', 'data-action': 'hangup', 'aria-label': cocc.t('hangup') + ' ' + leg.uniqueid, text: cocc.t('hangup') }),
          digits,
          cocc.el('button', { type: 'button', 'data-action': 'dtmf', 'aria-label': cocc.t('press') + ' ' + leg.uniqueid, text: cocc.t('press') })
        ];
        buttons[0].onclick = function () { action(leg, 'answer'); };
        buttons[1].onclick = function () { action(leg, 'hangup'); };
        buttons[3].onclick = function () { action(leg, 'dtmf', digits.value); };
        body.appendChild(cocc.el('tr', { 'data-uniqueid': leg.uniqueid, 'data-number': leg.number }, [
          cocc.el('td', { text: String(leg.uniqueid) }), cocc.el('td', { text: leg.number }), cocc.el('td', { text: leg.channel }),
          cocc.el('td', {}, buttons)
        ]));
      });
    });
  }
})();
