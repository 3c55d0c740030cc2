/// `cocc_nginx_http_push.js` and its demo page: the manual's browser integration (chapter 6).
/// A page includes the script and defines `sonAccept(message)`; the script long-polls the
/// agent's channel and calls `sonAccept` once per event, in order, with the chapter-6 message.
enum PushPlugin {
    static let script = """
        /*
         * cocc_nginx_http_push.js: real-time call events for a web page, served by coccd.
         *
         *   <script>
         *     var cocc_push_channel = 'demo-8001-123456';   // <orgidentity>-<agent>-<password>
         *     function sonAccept(message) { ... }           // 'calleridnum=...&source=AGENT&event=ringing&...'
         *   </script>
         *   <script src="http://<server>/coccinterface/cocc_nginx_http_push.js"></script>
         *
         * The channel may also be given as ?channel=... on the script's URL. The server is the one
         * the script was loaded from, unless the page sets astercc_ip ("host:port") and
         * astercc_is_ssl. Each event reaches sonAccept once, in order; after an error the script
         * waits (1 s, doubling up to 30 s) and resumes from its cursor, so nothing is lost.
         * A cursor older than the server's retention window (24 h by default) brings one message
         * 'source=SYSTEM&event=resync&...' instead: reload the agent's state, then events go on.
         */
        (function (global) {
          'use strict';
          var current = document.currentScript;
          var src = (current && current.src) || '';
          function base() {
            if (global.astercc_ip) { return (global.astercc_is_ssl ? 'https://' : 'http://') + global.astercc_ip; }
            return src.replace(/\\/coccinterface\\/cocc_nginx_http_push\\.js.*$/, '');
          }
          var match = /[?&]channel=([^&]+)/.exec(src);
          var channel = global.cocc_push_channel || (match ? decodeURIComponent(match[1]) : '');
          var server = base();
          var etag = null, lastModified = null, backoff = 0;

          function deliver(text) {
            var lines = text.split('\\r\\n');
            for (var i = 0; i < lines.length; i++) {
              // event=resync: the cursor was older than the server keeps; the page should
              // reload its state (agentStatus, ...). sonResync() is called first if defined.
              if (lines[i] && lines[i].indexOf('event=resync&') >= 0 && typeof global.sonResync === 'function') {
                try { global.sonResync(lines[i]); } catch (e) { if (global.console) { global.console.error(e); } }
              }
              if (lines[i] && typeof global.sonAccept === 'function') {
                try { global.sonAccept(lines[i]); } catch (e) { if (global.console) { global.console.error(e); } }
              }
            }
          }

          function retry() {
            backoff = backoff ? Math.min(30000, backoff * 2) : 1000;
            setTimeout(poll, backoff);
          }

          function poll() {
            var xhr = new XMLHttpRequest();
            xhr.open('GET', server + '/agentindesks/agentpull/' + encodeURIComponent(channel) + '?_=' + new Date().getTime(), true);
            if (etag) { xhr.setRequestHeader('If-None-Match', etag); }
            if (lastModified) { xhr.setRequestHeader('If-Modified-Since', lastModified); }
            xhr.onreadystatechange = function () {
              if (xhr.readyState !== 4) { return; }
              if (xhr.status === 200) {
                etag = xhr.getResponseHeader('Etag') || etag;
                lastModified = xhr.getResponseHeader('Last-Modified') || lastModified;
                backoff = 0;
                deliver(xhr.responseText);
                setTimeout(poll, 0);
              } else if (xhr.status === 304) {
                etag = xhr.getResponseHeader('Etag') || etag;
                backoff = 0;
                setTimeout(poll, 0);
              } else {
                retry();
              }
            };
            xhr.send();
          }

          function start() {
            // The server's time is the first cursor: the page receives what happens from now on.
            var xhr = new XMLHttpRequest();
            xhr.open('GET', server + '/getccdate/getccdate?_=' + new Date().getTime(), true);
            xhr.onreadystatechange = function () {
              if (xhr.readyState !== 4) { return; }
              if (xhr.status !== 200) { return retryStart(); }
              try { lastModified = JSON.parse(xhr.responseText).ccdate; } catch (e) { return retryStart(); }
              poll();
            };
            xhr.send();
          }
          function retryStart() { backoff = backoff ? Math.min(30000, backoff * 2) : 1000; setTimeout(start, backoff); }

          if (channel) { start(); } else if (global.console) { global.console.error('cocc push: no channel (set cocc_push_channel)'); }
        })(window);

        """

    static let page = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>coccd push events</title>
        <style>body { font-family: sans-serif; margin: 1.5em; } pre { background: #f4f4f4; padding: 0.5em; white-space: pre-wrap; }</style>
        <script>
          // This page's own ?channel=<orgidentity>-<agent>-<password> (demo: demo-8001-123456).
          var cocc_push_channel = (/[?&]channel=([^&]+)/.exec(location.search) || [])[1] || 'demo-8001-123456';
          function sonAccept(message) {
            var fields = {};
            message.split('&').forEach(function (pair) {
              var i = pair.indexOf('=');
              if (i > 0) { fields[pair.slice(0, i)] = decodeURIComponent(pair.slice(i + 1).replace(/\\+/g, ' ')); }
            });
            document.getElementById('log').textContent += fields.source + ' ' + fields.event + '  ' + message + '\\n';
          }
        </script>
        <script src="cocc_nginx_http_push.js"></script>
        </head>
        <body>
        <h1>coccd push events</h1>
        <p>Each call event of the agent's channel appears below as it happens, passed to <code>sonAccept(message)</code>.</p>
        <pre id="log"></pre>
        </body>
        </html>

        """
}
