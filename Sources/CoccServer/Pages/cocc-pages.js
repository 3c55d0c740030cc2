/*
 * cocc-pages.js: what the agent desk, the wallboard and the simulator panel share. Plain
 * JavaScript, no framework: the pages are coccd's reference integration, built only on its
 * public interfaces (the CJI plugin, /coccinterface/pushtoken, the event and state streams).
 *
 *   cocc.t('login')                       -> "Log in" or "登录"
 *   cocc.token(team, 'agent', '8001', pw) -> Promise of {token, ...} (the password goes in a POST body)
 *   cocc.cji('queuePauseCJI', {...})      -> Promise of {code, message}
 *   cocc.stream(url, handlers)            -> an EventSource that comes back after the server does
 */
(function (global) {
  'use strict';
  var STRINGS = {
    en: {
      title_desk: 'coccd agent desk', title_wallboard: 'coccd wallboard', title_simulator: 'coccd simulator panel',
      title_start: 'coccd', team: 'Team', agent: 'Agent', password: 'Password', login: 'Log in', logout: 'Log out',
      user: 'User', user_type: 'User type', account: 'Account', group_admin: 'Group admin (agent)',
      pause: 'Pause', ready: 'Ready', reason: 'Reason', number: 'Number', dial: 'Dial', dial_to: 'Call type',
      to_phone: 'Phone number', to_agent: 'Agent', hold: 'Hold', resume: 'Resume', consult: 'Consult', transfer: 'Transfer',
      conference: 'Conference', call_return: 'Call return', hangup: 'Hang up', end_acw: 'End ACW', dtmf: 'Keypad',
      to_ivr: 'To IVR', ivr: 'IVR', ivr_flow: 'IVR flow', keep_agent: 'Keep me on the call',
      listen: 'Listen', whisper: 'Whisper', barge: 'Barge', force_release: 'Force release', your_phone: 'Your phone',
      large_type: 'Large type', check_in: 'Check in', check_out: 'Check out', work_mode: 'Work mode', acw_mode: 'ACW mode',
      groups: 'Groups', state: 'State', time_in_state: 'Time in state', call: 'Call', events: 'Events', today: 'Today',
      calls_today: "Today's calls", play: 'Play', recording: 'Recording', incoming: 'Incoming call', from: 'From', queue: 'Queue',
      userdata: 'User data', connected: 'connected', reconnecting: 'reconnecting…', logged_out: 'logged out',
      st_idle: 'Idle', st_ring: 'Ringing', st_busy: 'Talking', st_pause: 'Paused', st_acw: 'After-call work', st_logout: 'Logged out',
      r_rest: 'Rest', r_leave: 'Leave', r_meeting: 'Meeting', r_training: 'Training', r_lunch: 'Lunch', r_other: 'Other',
      wm_all: 'In and out', wm_dialin: 'Inbound only', wm_dialout: 'Outbound only',
      acw_1: 'After ringing', acw_2: 'After answer', acw_3: 'Off', held: 'on hold', consulted: 'consulted',
      waiting: 'Waiting', longest_wait: 'Longest wait', available: 'Available', signed_in: 'Signed in',
      answered_today: 'Answered today', abandoned_today: 'Abandoned today', talking_to: 'Talking to',
      pauses: 'Pauses', pause_time: 'Pause time', total: 'Total', time: 'Time', direction: 'Direction',
      duration: 'Duration', result: 'Result', dialin: 'in', dialout: 'out', no_calls: 'No calls yet today.',
      agent_desk: 'Agent desk', wallboard: 'Supervisor wallboard', simulator: 'Simulator panel', wsdl: 'WSDL',
      cji_test: 'CJI test page', readme: 'README examples', place_call: 'Place call', legs: 'Live legs', answer: 'Answer',
      digits: 'Digits', press: 'Press', refresh: 'Refresh', channel: 'Channel',
      start_intro: 'coccd is a call-center CTI server. These pages are built on its public interfaces only.',
      demo_hint: 'Demo team: demo; agents 8001-8005, password 123456; account admin / admin123.',
      bad_login: 'Wrong team, user or password.', network_error: 'The server cannot be reached.'
    },
    cn: {
      title_desk: 'coccd 坐席工作台', title_wallboard: 'coccd 监控大屏', title_simulator: 'coccd 模拟交换机面板',
      title_start: 'coccd', team: '团队', agent: '坐席', password: '密码', login: '登录', logout: '退出',
      user: '用户', user_type: '用户类型', account: '管理账号', group_admin: '组长（坐席）',
      pause: '示忙', ready: '示闲', reason: '原因', number: '号码', dial: '拨号', dial_to: '呼叫类型',
      to_phone: '电话号码', to_agent: '坐席', hold: '保持', resume: '恢复', consult: '咨询', transfer: '转接',
      conference: '会议', call_return: '咨询返回', hangup: '挂断', end_acw: '结束话后处理', dtmf: '拨号盘',
      to_ivr: '转IVR', ivr: 'IVR', ivr_flow: 'IVR 流程', keep_agent: '保留坐席',
      listen: '监听', whisper: '密语', barge: '强插', force_release: '强拆', your_phone: '您的电话',
      large_type: '大字体', check_in: '签入', check_out: '签出', work_mode: '工作模式', acw_mode: '话后处理模式',
      groups: '坐席组', state: '状态', time_in_state: '状态时长', call: '通话', events: '事件', today: '今日',
      calls_today: '今日通话', play: '播放', recording: '录音', incoming: '来电', from: '主叫', queue: '队列',
      userdata: '随路数据', connected: '已连接', reconnecting: '正在重连…', logged_out: '已退出',
      st_idle: '空闲', st_ring: '振铃', st_busy: '通话中', st_pause: '示忙', st_acw: '话后处理', st_logout: '未登录',
      r_rest: '休息', r_leave: '离开', r_meeting: '会议', r_training: '培训', r_lunch: '午餐', r_other: '其他',
      wm_all: '呼入呼出', wm_dialin: '仅呼入', wm_dialout: '仅呼出',
      acw_1: '振铃后', acw_2: '应答后', acw_3: '关闭', held: '保持中', consulted: '被咨询',
      waiting: '排队', longest_wait: '最长等待', available: '空闲坐席', signed_in: '签入坐席',
      answered_today: '今日接听', abandoned_today: '今日放弃', talking_to: '通话对象',
      pauses: '示忙次数', pause_time: '示忙时长', total: '合计', time: '时间', direction: '方向',
      duration: '时长', result: '结果', dialin: '呼入', dialout: '呼出', no_calls: '今日尚无通话。',
      agent_desk: '坐席工作台', wallboard: '班长监控大屏', simulator: '模拟交换机面板', wsdl: 'WSDL',
      cji_test: 'CJI 测试页', readme: 'README 示例', place_call: '模拟来电', legs: '通话腿', answer: '应答',
      digits: '按键', press: '发送', refresh: '刷新', channel: '通道',
      start_intro: 'coccd 是呼叫中心 CTI 服务器。这些页面只使用它的公开接口。',
      demo_hint: '演示团队：demo；坐席 8001-8005，密码 123456；管理账号 admin / admin123。',
      bad_login: '团队、用户或密码错误。', network_error: '无法连接服务器。'
    }
  };
  var REASONS = ['rest', 'leave', 'meeting', 'training', 'lunch', 'other'];
  var cocc = global.cocc = { REASONS: REASONS, strings: STRINGS };

  function queryLang() {
    var m = /[?&]lang=(cn|en)\b/.exec(global.location.search);
    return m ? m[1] : null;
  }
  function browserLang() {
    var l = (global.navigator && global.navigator.language || '').toLowerCase();
    return l.indexOf('zh') === 0 ? 'cn' : 'en';
  }
  // ?lang= wins; then the remembered team's language; then the browser's.
  cocc.fixedLang = queryLang();
  cocc.lang = cocc.fixedLang || store('cocc.lang') || browserLang();

  function store(key, value) {
    try {
      if (value === undefined) { return global.localStorage.getItem(key); }
      if (value === null) { global.localStorage.removeItem(key); } else { global.localStorage.setItem(key, value); }
    } catch (e) { /* storage off: nothing is remembered */ }
    return null;
  }
  cocc.store = store;

  cocc.t = function (key) {
    var table = STRINGS[cocc.lang] || STRINGS.en;
    return table[key] !== undefined ? table[key] : (STRINGS.en[key] !== undefined ? STRINGS.en[key] : key);
  };

  /** Fills data-i18n (text), data-i18n-label (aria-label) and data-i18n-title under root. */
  cocc.applyI18n = function (root) {
    root = root || global.document;
    Array.prototype.forEach.call(root.querySelectorAll('[data-i18n]'), function (el) { el.textContent = cocc.t(el.getAttribute('data-i18n')); });
    Array.prototype.forEach.call(root.querySelectorAll('[data-i18n-label]'), function (el) { el.setAttribute('aria-label', cocc.t(el.getAttribute('data-i18n-label'))); });
    if (root === global.document) {
      global.document.documentElement.lang = cocc.lang === 'cn' ? 'zh-CN' : 'en';
      var title = global.document.body.getAttribute('data-title');
      if (title) { global.document.title = cocc.t(title); }
    }
    global.cocc_lang = cocc.lang;  // the CJI plugin then answers messages in this language
  };

  /** Switches to the team's language, unless ?lang= fixed one. */
  cocc.useTeamLanguage = function (language) {
    if (cocc.fixedLang || (language !== 'cn' && language !== 'en') || language === cocc.lang) { return false; }
    cocc.lang = language;
    store('cocc.lang', language);
    cocc.applyI18n();
    return true;
  };

  cocc.el = function (tag, attrs, children) {
    var e = global.document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') { e.textContent = attrs[k]; } else if (k === 'className') { e.className = attrs[k]; } else if (attrs[k] !== null && attrs[k] !== undefined) { e.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { e.appendChild(typeof c === 'string' ? global.document.createTextNode(c) : c); } });
    return e;
  };

  function form(params) {
    return Object.keys(params).map(function (k) { return encodeURIComponent(k) + '=' + encodeURIComponent(params[k]); }).join('&');
  }

  /** A token for the user; the password travels only in this POST's body. */
  cocc.token = function (team, usertype, user, password) {
    return global.fetch('/coccinterface/pushtoken', {
      method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, cache: 'no-store',
      body: form({ orgidentity: team, usertype: usertype, user: user, pwdtype: 'plaintext', password: password })
    }).then(function (r) {
      if (r.status === 403) { throw new Error(cocc.t('bad_login')); }
      if (!r.ok) { throw new Error('HTTP ' + r.status); }
      return r.json();
    });
  };

  /** A CJI function of astcc_CJI.js by name, with named parameters; resolves with its result. */
  cocc.cji = function (name, params) {
    return new Promise(function (resolve) {
      var named = {};
      Object.keys(params).forEach(function (k) { named[k] = params[k]; });
      named.callbackFuc = function (result) { resolve(result || { code: 2, message: 'no answer' }); };
      global[name](named);
    });
  };

  /** JSON from a GET, or null on any failure (the caller keeps what it shows). */
  cocc.getJSON = function (url) {
    return global.fetch(url, { cache: 'no-store' }).then(function (r) { return r.ok ? r.json() : null; }).catch(function () { return null; });
  };

  /**
   * An EventSource that survives the server going away: the browser retries by itself after a
   * network error, and where it gives up (an error status while the server restarts) a new one
   * starts 2 s later, resuming after the last event id seen, so nothing is lost or repeated.
   * handlers: {message(data, id), state(data), status(connected)}; url(lastId) builds the URL.
   */
  cocc.stream = function (url, handlers) {
    var lastId = null, source = null, stopped = false, timer = null;
    function open() {
      if (stopped) { return; }
      source = new global.EventSource(url(lastId));
      source.onopen = function () { if (handlers.status) { handlers.status(true); } };
      source.onmessage = function (e) {
        if (e.lastEventId) { lastId = e.lastEventId; }
        if (handlers.message) { handlers.message(e.data, e.lastEventId); }
      };
      // The stream's starting cursor (before any event): where to resume from after an outage.
      source.addEventListener('cursor', function (e) { if (e.lastEventId) { lastId = e.lastEventId; } });
      source.addEventListener('state', function (e) { if (handlers.state) { handlers.state(JSON.parse(e.data)); } });
      source.onerror = function () {
        if (handlers.status) { handlers.status(false); }
        if (source.readyState === global.EventSource.CLOSED) {
          clearTimeout(timer);
          timer = setTimeout(open, 2000);
        }
      };
    }
    open();
    return {
      stop: function () { stopped = true; clearTimeout(timer); if (source) { source.close(); } },
      lastId: function () { return lastId; },
      setLastId: function (id) { lastId = id; }
    };
  };

  /** "connected" / "reconnecting…" in el; render() again after a change of language. */
  cocc.connectionIndicator = function (el) {
    var up = null;
    function render() {
      el.textContent = up === null ? '' : cocc.t(up ? 'connected' : 'reconnecting');
      el.className = 'conn ' + (up ? 'up' : 'down');
    }
    return { set: function (value) { up = value; render(); }, render: render };
  };

  /** A chapter-6 message as an object: split on '&', each pair on its first '=' (events-and-codes A.2). */
  cocc.parseEvent = function (message) {
    var out = {};
    String(message).split('&').forEach(function (pair) {
      if (!pair) { return; }
      var at = pair.indexOf('=');
      if (at < 0) { out[pair] = ''; } else { out[pair.slice(0, at)] = pair.slice(at + 1); }
    });
    return out;
  };

  /** 0:05, 12:34, 1:02:03 */
  cocc.duration = function (seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var h = Math.floor(seconds / 3600), m = Math.floor(seconds / 60) % 60, s = seconds % 60;
    var mm = h > 0 && m < 10 ? '0' + m : String(m);
    return (h > 0 ? h + ':' : '') + mm + ':' + (s < 10 ? '0' : '') + s;
  };

  /** The server's clock, from the `at` of the last view (so a page's clock skew does not count). */
  var offset = 0;
  cocc.syncClock = function (serverSeconds) { offset = serverSeconds * 1000 - Date.now(); };
  cocc.now = function () { return (Date.now() + offset) / 1000; };

  cocc.statusWord = function (status) { return cocc.t('st_' + status); };
  cocc.reasonWord = function (reason) { return REASONS.indexOf(reason) >= 0 ? cocc.t('r_' + reason) : reason; };
})(window);
