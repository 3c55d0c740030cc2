"""A backend for the delivery test: refuses the first N POSTs with 500, then records each
accepted event id (X-Cocc-Event-Id) in order, one per line, to OUTFILE.

Usage: python3 webhook_receiver.py PORT OUTFILE FAIL_FIRST
"""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, outfile, fail_first = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
state = {"refused": 0}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if state["refused"] < fail_first:
            state["refused"] += 1
            self.send_response(500)
        else:
            with open(outfile, "a") as f:
                f.write(self.headers.get("X-Cocc-Event-Id", "") + "\n")
            self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
