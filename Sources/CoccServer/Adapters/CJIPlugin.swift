import CoccCatalogue
import CoccOperations

/// The browser plugin `astcc_CJI.js` and its test page, both made from the catalogue so that
/// every CJI function has the manual's name and parameter order and nothing else.
enum CJIPlugin {
    /// `{"loginCJI": ["orgidentity", ..., "callbackFuc"], ...}` for the operations that have a CJI form.
    static func signatures(_ catalogue: Catalogue) -> String {
        let entries = catalogue.descriptors.compactMap { d -> String? in
            guard let name = d.cjiName else { return nil }
            return "  \(JSONString.quote(name)): [\(d.cjiParameters.map(JSONString.quote).joined(separator: ", "))]"
        }
        return "{\n" + entries.joined(separator: ",\n") + "\n}"
    }

    static func script(catalogue: Catalogue) -> String {
        """
        /*
         * astcc_CJI.js: the COCC Script (CJI) interface, served by coccd.
         *
         * Include it, then call the manual's functions with its parameter order, e.g.
         *   loginCJI('demo', 'agent', '8001', 'plaintext', '123456', function (r) { alert(r.code + ' ' + r.message); });
         * Each callback receives {code, message[, param | status]}. callbackFuc may be a function or
         * the name of a global function. Calls travel as JSONP to /setevent/<name>?callback=...
         * A function may also be given one object of named parameters (callbackFuc among them),
         * as the vendor's monitorCtrlCJI({action: 'start', ...}) is.
         *
         * The server is the one this file was loaded from, unless the page sets the globals
         * astercc_ip ("host:port") and astercc_is_ssl, as pages of the original plugin do.
         * Set cocc_lang = 'cn' or 'en' to receive message texts instead of BackMsg codes.
         */
        (function (global) {
          'use strict';
          var SIGNATURES = \(signatures(catalogue));
          var current = document.currentScript;
          function base() {
            if (global.astercc_ip) { return (global.astercc_is_ssl ? 'https://' : 'http://') + global.astercc_ip; }
            if (current && current.src) { return current.src.replace(/\\/coccinterface\\/astcc_CJI\\.js.*$/, ''); }
            return '';
          }
          var serverBase = base();
          var sequence = 0;
          var TIMEOUT_MS = 15000;

          function deliver(callback, result) {
            if (typeof callback === 'function') { callback(result); }
            else if (typeof callback === 'string' && typeof global[callback] === 'function') { global[callback](result); }
          }

          function pair(key, value) {
            if (value === undefined || value === null) { value = ''; }
            return encodeURIComponent(key) + '=' + encodeURIComponent(String(value));
          }

          function call(name, params, args) {
            var callback = null;
            var query = [];
            var named = args.length > 0 && args[0] !== null && typeof args[0] === 'object' ? args[0] : null;
            if (named) {
              // One object of named parameters, as the vendor's monitorCtrlCJI also takes; its
              // callbackFuc, else the one in the callback's place.
              var at = params.indexOf('callbackFuc');
              callback = named.callbackFuc !== undefined && named.callbackFuc !== '' ? named.callbackFuc : (at >= 0 ? args[at] : null);
              Object.keys(named).forEach(function (key) { if (key !== 'callbackFuc') { query.push(pair(key, named[key])); } });
            } else {
              for (var i = 0; i < params.length; i++) {
                if (params[i] === 'callbackFuc') { callback = args[i]; continue; }
                query.push(pair(params[i], args[i]));
              }
            }
            if (global.cocc_lang) { query.push('lang=' + encodeURIComponent(global.cocc_lang)); }
            var fn = '__coccCJI_' + (++sequence) + '_' + new Date().getTime();
            var element = document.createElement('script');
            var timer = null;
            function cleanup() {
              if (timer) { clearTimeout(timer); }
              try { delete global[fn]; } catch (e) { global[fn] = undefined; }
              if (element.parentNode) { element.parentNode.removeChild(element); }
            }
            global[fn] = function (result) { cleanup(); deliver(callback, result); };
            element.onerror = function () { cleanup(); deliver(callback, { code: 2, message: 'network error' }); };
            timer = setTimeout(function () { cleanup(); deliver(callback, { code: 2, message: 'timeout' }); }, TIMEOUT_MS);
            element.src = serverBase + '/setevent/' + name + '?callback=' + fn + '&' + query.join('&');
            (document.head || document.documentElement).appendChild(element);
          }

          Object.keys(SIGNATURES).forEach(function (name) {
            global[name] = function () { call(name, SIGNATURES[name], Array.prototype.slice.call(arguments)); };
          });
          global.coccCJISignatures = SIGNATURES;
        })(window);

        """
    }

    static func testPage(catalogue: Catalogue) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>coccd CJI test page</title>
        <style>
          body { font-family: sans-serif; margin: 1.5em; }
          fieldset { margin: 0 0 1em 0; }
          label { display: inline-block; margin: 0.2em 0.8em 0.2em 0; }
          input { width: 9em; }
          pre { background: #f4f4f4; padding: 0.5em; white-space: pre-wrap; }
        </style>
        <script src="astcc_CJI.js"></script>
        </head>
        <body>
        <h1>coccd CJI test page</h1>
        <p>Each form calls one function of <code>astcc_CJI.js</code> with the manual's parameter order.
        The demo team is <code>demo</code>, agents 8001&ndash;8005 with password <code>123456</code>.</p>
        <div id="forms"></div>
        <h2>Results</h2>
        <pre id="log"></pre>
        <script>
        (function () {
          var defaults = { orgidentity: 'demo', usertype: 'agent', user: '8001', pwdtype: 'plaintext', password: '123456',
                           type: '1', status: 'all', agent_group_id: '1', list: '', pause_reason: 'rest', exten: '8001',
                           action: 'start', campaignid: '1', phonenum: '13800000001', priority: '0' };
          var forms = document.getElementById('forms');
          var log = document.getElementById('log');
          Object.keys(window.coccCJISignatures).forEach(function (name) {
            var params = window.coccCJISignatures[name];
            var fieldset = document.createElement('fieldset');
            fieldset.id = 'form-' + name;
            var legend = document.createElement('legend');
            legend.textContent = name + '(' + params.join(', ') + ')';
            fieldset.appendChild(legend);
            var inputs = [];
            params.forEach(function (p) {
              if (p === 'callbackFuc') { inputs.push(null); return; }
              var label = document.createElement('label');
              label.textContent = p + ' ';
              var input = document.createElement('input');
              input.name = p;
              input.value = defaults[p] || '';
              label.appendChild(input);
              fieldset.appendChild(label);
              inputs.push(input);
            });
            var button = document.createElement('button');
            button.textContent = 'call ' + name;
            button.onclick = function () {
              var args = inputs.map(function (input) {
                if (input) { return input.value; }
                return function (result) { log.textContent += name + ' -> ' + JSON.stringify(result) + '\\n'; };
              });
              window[name].apply(window, args);
            };
            fieldset.appendChild(button);
            forms.appendChild(fieldset);
          });
        })();
        </script>
        </body>
        </html>

        """
    }
}
