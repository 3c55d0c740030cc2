// Real-client test of cocc_nginx_http_push.js: runs the served script in a VM context whose
// XMLHttpRequest is a thin shim over fetch, makes agent 8003 place a call to a busy number, and
// checks that sonAccept receives exactly that call's six events, in order, once each.
// Usage: node push_plugin_test.js http://127.0.0.1:PORT      Ends with "N passed, M failed".
'use strict';
const vm = require('vm');
const base = process.argv[2] || 'http://127.0.0.1:4580';
let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) { passed++; console.log('ok   ' + name); } else { failed++; console.log('FAIL ' + name + (detail ? '\n     ' + detail : '')); }
}

class XMLHttpRequest {
  open(method, url) { this.method = method; this.url = url; this.headers = {}; this.readyState = 1; }
  setRequestHeader(name, value) { this.headers[name] = value; }
  getResponseHeader(name) { return this.responseHeaders ? this.responseHeaders.get(name) : null; }
  send() {
    fetch(this.url, { method: this.method, headers: this.headers })
      .then(async (r) => { this.status = r.status; this.responseHeaders = r.headers; this.responseText = await r.text(); })
      .catch(() => { this.status = 0; this.responseText = ''; })
      .then(() => { this.readyState = 4; this.onreadystatechange(); });
  }
}

const received = [];
const context = { setTimeout, clearTimeout, encodeURIComponent, decodeURIComponent, console, JSON, XMLHttpRequest };
context.window = context;
context.sonAccept = (message) => received.push(message);
context.document = { currentScript: { src: base + '/coccinterface/cocc_nginx_http_push.js?channel=demo-8003-123456' } };
vm.createContext(context);

const A = 'orgidentity=demo&usertype=agent&user=8003&pwdtype=plaintext&password=123456';
const form = (body) => fetch(base + '/coccinterfaces', { method: 'POST', body, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }).then((r) => r.text());
const field = (m, k) => { const p = m.split('&').find((x) => x.startsWith(k + '=')); return p ? p.slice(k.length + 1) : undefined; };

(async () => {
  vm.runInContext(await (await fetch(base + '/coccinterface/cocc_nginx_http_push.js')).text(), context);
  await new Promise((r) => setTimeout(r, 300));   // the script has its cursor and is polling
  await form('EVENT=LOGIN&' + A);
  check('makeCall', (await form('EVENT=MAKECALL&targetdn=13800000002&targettype=exter&agentgroupid=1&modeltype=Campaign&model_id=5&' + A)) === '|Retuen|1|Retuen|BackMsg_19');
  const deadline = Date.now() + 8000;
  while (Date.now() < deadline && !received.some((m) => m.includes('source=CONVERSATION'))) { await new Promise((r) => setTimeout(r, 100)); }
  const kinds = received.map((m) => field(m, 'source') + ' ' + field(m, 'event'));
  check('sonAccept got the call, in order, once each', JSON.stringify(kinds) === JSON.stringify(
    ['AGENT ringing', 'AGENT answer', 'CALLEE ringing', 'CALLEE hangup', 'AGENT hangup', 'CONVERSATION hangup']), JSON.stringify(kinds));
  const ids = received.map((m) => Number(field(m, 'eventid')));
  check('event ids increase', ids.every((id, i) => i === 0 || id > ids[i - 1]), JSON.stringify(ids));
  check('one call', new Set(received.map((m) => field(m, 'sessionid'))).size === 1);
  check('the demo page is served', (await (await fetch(base + '/coccinterface/cocc_nginx_http_push.html')).text()).includes('function sonAccept(message)'));
  await form('EVENT=LOGOUT&' + A);
  console.log('\n' + passed + ' passed, ' + failed + ' failed');
  process.exit(failed === 0 ? 0 : 1);
})().catch((e) => { console.log('FAIL ' + e + '\n\n' + passed + ' passed, ' + (failed + 1) + ' failed'); process.exit(1); });
