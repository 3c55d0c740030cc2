"""The deployed page's long-poll loop (agentpull with its Etag cursor), for the real-client
scripts that watch a channel while something else happens (postgres_outage_test.py,
cluster_test.py)."""
import threading, time, urllib.error, urllib.request


class Poller(threading.Thread):
    """Polls `url`, keeps the Etag, polls again with it; every line received is in `lines`
    (without its line end), in order. Set `stop` to end it after the poll under way."""

    def __init__(self, url):
        super().__init__(daemon=True)
        self.url, self.lines, self.stop, self.cursor = url, [], False, None

    def run(self):
        while not self.stop:
            headers = {"If-None-Match": self.cursor} if self.cursor else {}
            try:
                with urllib.request.urlopen(urllib.request.Request(self.url, headers=headers), timeout=40) as r:
                    self.lines += [line.strip("\r") for line in r.read().decode().split("\n") if line.strip()]
                    self.cursor = r.headers.get("Etag") or self.cursor
            except urllib.error.HTTPError as e:
                if e.code != 304:
                    time.sleep(0.3)
            except Exception:
                time.sleep(0.3)

    def wait_for(self, text, seconds=20):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if any(text in line for line in self.lines):
                return True
            time.sleep(0.1)
        return False
