// Real-client test of the CJI plugin: loads astcc_CJI.js from a running coccd into a VM context
// with a minimal DOM whose <script> elements really fetch their src and run it (that is all
// JSONP needs), then calls CJI functions with the manual's positional arguments.
// Usage: node cji_plugin_test.js http://127.0.0.1:PORT      Ends with "N passed, M failed".
'use strict';
const vm = require('vm');
const base = process.argv[2] || 'http://127.0.0.1:4580';
let passed = 0, failed = 0;

function check(name, actual, expected) {
  const a = JSON.stringify(actual), e = JSON.stringify(expected);
  if (typeof expected === 'function' ? expected(actual) : a === e) { passed++; console.log('ok   ' + name); }
  else { failed++; console.log('FAIL ' + name + '\n     got:      ' + a + (typeof expected === 'function' ? '' : '\n     expected: ' + e)); }
}

const context = { setTimeout, clearTimeout, encodeURIComponent, console };
context.window = context;
context.document = {
  currentScript: { src: base + '/coccinterface/astcc_CJI.js' },
  createElement: () => ({ parentNode: null }),
  head: {
    appendChild(element) {
      element.parentNode = this;
      fetch(element.src).then((r) => r.text()).then((code) => vm.runInContext(code, context))
        .catch(() => element.onerror && element.onerror());
    },
    removeChild(element) { element.parentNode = null; },
  },
};
vm.createContext(context);

function cji(name, ...args) {
  return new Promise((resolve) => {
    const i = args.indexOf('CB');
    args[i] = resolve;
    context[name](...args);
  });
}

(async () => {
  const plugin = await (await fetch(base + '/coccinterface/astcc_CJI.js')).text();
  vm.runInContext(plugin, context);
  const A = ['demo', 'agent', '8005', 'plaintext', '123456'];
  check('loginCJI', await cji('loginCJI', ...A, 'CB'), (r) => r.code === 1 && r.message === 'BackMsg_04' && r.param.startsWith('agent_group_id=2&groupname=Support&status=idel'));
  check('loginCJI again is code 3', (await cji('loginCJI', ...A, 'CB')).code, 3);
  // makeCallCJI puts callbackFuc 12th, before agentexten, callerid and trunkidentity.
  check('makeCallCJI', await cji('makeCallCJI', '13800000001', 'exter', '2', 'agent', '8005', 'demo', 'plaintext', '123456',
        'Campaign', '3', 'x=1', 'CB', '', '', ''), { code: 1, message: 'BackMsg_19' });
  check('hangupCJI without targetagent', await cji('hangupCJI', '', '', 'all', 'plaintext', '123456', 'agent', '8005', 'demo', 'CB'), { code: 2, message: 'BackMsg_01' });
  check('hangupCJI', await cji('hangupCJI', '', '8005', 'all', 'plaintext', '123456', 'agent', '8005', 'demo', 'CB'), { code: 1, message: 'BackMsg_37' });
  check('holdCJI without a call', await cji('holdCJI', '0', 'demo', 'agent', '8005', 'plaintext', '123456', 'CB'), { code: 2, message: 'BackMsg_92' });
  check('resumeCJI without a call', await cji('resumeCJI', 'demo', 'agent', '8005', 'plaintext', '123456', 'CB'), { code: 2, message: 'BackMsg_92' });
  check('backcallCJI', await cji('backcallCJI', 'demo', '13800000002', '13800000001', '', 'admin', 'admin123', 'plaintext', 'CB'), { code: 1, message: 'BackMsg_19' });
  check('loginCJI wrong password', await cji('loginCJI', 'demo', 'agent', '8005', 'plaintext', 'x', 'CB'), { code: 2, message: 'BackMsg_03' });
  // queuePauseCJI puts callbackFuc before dnd.
  check('queuePauseCJI', await cji('queuePauseCJI', '1', 'agent', '8005', 'demo', 'plaintext', '123456', 'meeting', 'no', 'CB', 'yes'), { code: 1, message: 'BackMsg_14' });
  check('agentStatusCJI', await cji('agentStatusCJI', ...A, 'CB'), { code: 1, message: 'BackMsg_43', status: '2-pause,' });
  check('queueActionCJI', await cji('queueActionCJI', '2', 'agent', '8005', 'demo', '2', 'plaintext', '123456', '', 'no', 'CB'), { code: 1, message: '2:success' });
  check('acwActionCJI', await cji('acwActionCJI', '1', 'agent', '8005', 'demo', 'plaintext', '123456', '', 'no', 'CB'), { code: 2, message: 'BackMsg_58' });
  check('acwOffCJI', await cji('acwOffCJI', 'agent', '8005', 'demo', 'plaintext', '123456', 'no', 'CB'), { code: 2, message: 'BackMsg_90' });
  check('workwayActionCJI', await cji('workwayActionCJI', 'dialin', 'agent', '8005', 'demo', 'plaintext', '123456', '', 'no', 'CB'), { code: 2, message: 'BackMsg_91' });
  check('agentgroupStatusCJI', await cji('agentgroupStatusCJI', 'demo', 'agent', '8001', 'plaintext', '123456', '2', 'logout', 'CB'),
        (r) => r.code === 1 && r.message.includes('8005:logout'));
  check('teamStatusCJI', await cji('teamStatusCJI', 'demo', 'account', 'admin', 'plaintext', 'admin123', 'all', 'CB'), (r) => r.code === 1 && r.message.includes('8005:logout'));
  check('agentRealtimeCJI', await cji('agentRealtimeCJI', ...A, 'CB'), (r) => r.code === 1 && r.message.split('|').length === 18 && r.message.startsWith('Agent 8005|8005|logout|'));
  check('setdeviceCJI', await cji('setdeviceCJI', 'demo', '8007', '8005', 'plaintext', '123456', 'CB'), { code: 1, message: 'BackMsg_112' });
  // The vendor plugin's extras, with its parameter orders.
  check('setDefaultGroupCJI', await cji('setDefaultGroupCJI', 'agent', '8005', 'demo', 'plaintext', '123456', '2', 'CB'), { code: 1, message: 'BackMsg_14' });
  check('setDefaultGroupCJI, not a member', await cji('setDefaultGroupCJI', 'agent', '8005', 'demo', 'plaintext', '123456', '1', 'CB'), { code: 2, message: 'BackMsg_60' });
  check('monitorCtrlCJI without a call', await cji('monitorCtrlCJI', 'start', 'agent', '8005', 'demo', 'plaintext', '123456', 'no', 'CB'), { code: 2, message: 'BackMsg_92' });
  // monitorCtrlCJI also takes one object of named parameters, its callback inside.
  const named = await new Promise((resolve) => context.monitorCtrlCJI({ action: 'pause', usertype: 'agent', user: '8005', orgidentity: 'demo',
    pwdtype: 'plaintext', password: '123456', callbackFuc: resolve }));
  check('monitorCtrlCJI({...}) bad action', named, { code: 2, message: 'BackMsg_28' });
  check('dialerListCJI unknown campaign', await cji('dialerListCJI', 'demo', 'account', 'admin', 'plaintext', 'admin123', '404', '13800000001', '1', '', 'CB'),
        { code: 2, message: 'BackMsg_73' });
  check('qbackcallCJI', await cji('qbackcallCJI', 'demo', '13800000002', '13800000001', '4001', '4002', 'admin', 'admin123', 'plaintext', 'k=v', 'CB'),
        { code: 1, message: 'BackMsg_19' });
  check('getMonitorCJI(sessionid, calldate, callbackFuc, mp3, filename)', await cji('getMonitorCJI', '0'.repeat(32), '2030-01-01', 'CB', '', '0'.repeat(32) + '-1.wav'),
        { code: 2, message: 'BackMsg_44' });
  check('logoutCJI', await cji('logoutCJI', ...A, 'CB'), { code: 1, message: 'BackMsg_08' });
  // callbackFuc given as the name of a global function, and message texts with cocc_lang.
  const byName = new Promise((resolve) => { context.onLogout = resolve; });
  context.cocc_lang = 'en';
  context.logoutCJI('demo', 'agent', '8005', 'plaintext', 'bad', 'onLogout');
  check('callback by name, English text', await byName, { code: 2, message: 'Agent number does not exist or password is wrong' });
  check('no stray globals', Object.keys(context).filter((k) => k.startsWith('__coccCJI_')), []);
  console.log('\n' + passed + ' passed, ' + failed + ' failed');
  process.exit(failed === 0 ? 0 : 1);
})().catch((e) => { console.log('FAIL ' + e); console.log('\n' + passed + ' passed, ' + (failed + 1) + ' failed'); process.exit(1); });
