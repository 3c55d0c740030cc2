#!/usr/bin/env python3
"""Load generator for Benchmarks/push_benchmark.sh (not a test).

AGENTS agent channels, PAGES subscribers (pages) on each: AGENTS x PAGES subscribers on loopback.
Of those, the first half are long-poll agent channels (/agentindesks/agentpull, as the deployed
plugin polls), the rest SSE (/coccinterface/events), of which the last TEAM follow the whole team
(supervisor screens) instead of their agent. Subscriber j is page j // AGENTS of agent
j % AGENTS, so with PAGES = 1 it is the shape of the earlier 1,000-subscriber run (500 long-poll,
450 SSE agent, 50 SSE team), and with PAGES > 1 every agent has long-poll and SSE pages.
Then RATE events per second for DURATION seconds, over the agents in a fixed shuffled order: each
is a queuePause/unpause sent with pushevent=yes, which appends one `paused`/`nopaused`
notification to that agent's channel (and the team's). Latency is measured from just before the
request is written to the moment a subscriber process has the bytes of the message, so it is an
upper bound of append -> client: it includes the operation itself.

The subscribers run in LOAD_WORKERS processes (default: 1 up to 2,000 subscribers, else 2), each
its own event loop (uvloop when installed) and plain asyncio Protocols, so that the generator is
not what delays the messages; the publisher runs in the parent. Times are time.monotonic()
(CLOCK_MONOTONIC, one clock for all processes on Linux); receipts are matched to the sends
after the run (by the pause reason, which carries the event's number, else the latest send of
that agent's event kind). The result reports each generator process's CPU use and event-loop lag
during the events, and, for SERVER_PIDS (space-separated), the server's CPU seconds in the same
window and its peak RSS sampled every second.

With PEER=nchan in the environment it drives the peer instead: nginx with the nchan module
(the successor of the nginx HTTP push module the original product ran on), subscribers on the
same long-poll protocol (/agentindesks/agentpull/<channel>) and on EventSource (/sse/<channel>,
/sse/team), and each event POSTed to /pub/<channel>, which nchan publishes to the agent's
channel and the team's. There is no operation behind the peer's publish, so the comparison
favours the peer.

Usage: push_load.py BASE AGENT_FIRST AGENTS TEAM RATE DURATION [PAGES=1]
Prints one JSON object with the figures.
"""
import array, asyncio, bisect, json, multiprocessing, os, random, re, resource, sys, threading, time, traceback, urllib.parse

try:
    import uvloop
except ImportError:
    uvloop = None

BASE, FIRST, AGENTS, TEAM, RATE, DURATION = (
    sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6]))
PAGES = int(sys.argv[7]) if len(sys.argv) > 7 else 1
SUBSCRIBERS = AGENTS * PAGES
WORKERS = max(1, int(os.environ.get("LOAD_WORKERS", "0") or 0) or (1 if SUBSCRIBERS <= 2000 else 2))
HOST, PORT = urllib.parse.urlsplit(BASE).hostname, urllib.parse.urlsplit(BASE).port
PASSWORD = "bench"
PEER = os.environ.get("PEER", "")
SERVER_PIDS = os.environ.get("SERVER_PIDS", "").split()
CONNECT_BATCH = 200
EVENT_RE = re.compile(rb"event=([a-z]+)&agent=(\d+)")
SEQ_RE = re.compile(rb"reason=b(\d+)")


def now():
    return time.monotonic()   # CLOCK_MONOTONIC: comparable across the processes


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def cred(a):
    return "orgidentity=demo&usertype=agent&user=%d&pwdtype=plaintext&password=%s" % (a, PASSWORD)


def channel(a):
    return "demo-%d-%s" % (a, PASSWORD)


TEAM_QUERY = "team" if PEER else "orgidentity=demo&usertype=account&user=admin&pwdtype=plaintext&password=%s" % PASSWORD


def slots():
    """(agent, kind) of each subscriber; kind is lp, sse or team."""
    out = []
    for j in range(SUBSCRIBERS):
        agent = FIRST + j % AGENTS
        out.append((agent, "team" if j >= SUBSCRIBERS - TEAM else "lp" if j < SUBSCRIBERS // 2 else "sse"))
    return out


def parse_head(head):
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, sep, v = line.partition(b":")
        if sep:
            headers[k.strip().lower()] = v.strip()
    return status, headers


# ---------------------------------------------------------------- subscriber processes

def listen(conns):
    """A queue of (index, message) from the pipes, each read by a thread: the event loop would
    make a pipe non-blocking, and a large message then arrives in pieces. None when one closes."""
    loop = asyncio.get_running_loop()
    inbox = asyncio.Queue()

    def read(i, conn):
        message = True
        while message is not None:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                message = None
            try:
                loop.call_soon_threadsafe(inbox.put_nowait, (i, message))
            except RuntimeError:   # the loop has ended
                return
    for i, conn in enumerate(conns):
        threading.Thread(target=read, args=(i, conn), daemon=True).start()
    return inbox


class Worker:
    def __init__(self):
        self.receipts = []   # (agent bytes, event bytes, seq or -1, time, kind)
        self.received = {"lp": 0, "sse": 0, "team": 0}
        self.errors = {"connect": 0, "closed": 0, "status": 0}
        self.statuses = {}
        self.stopping = False
        self.ready = 0

    def got(self, line, kind, t):
        m = EVENT_RE.search(line)
        if m is None:
            return
        self.received[kind] += 1
        if not self.stopping:
            s = SEQ_RE.search(line)
            self.receipts.append((m.group(2), m.group(1), int(s.group(1)) if s else -1, t, kind))

    def bad_status(self, status):
        self.errors["status"] += 1
        self.statuses[status] = self.statuses.get(status, 0) + 1


class Subscriber(asyncio.Protocol):
    def __init__(self, w, agent, kind):
        self.w, self.agent, self.kind = w, agent, kind
        self.transport = None
        self.is_ready = False

    async def start(self):
        try:
            await asyncio.get_running_loop().create_connection(lambda: self, HOST, PORT)
        except OSError:
            self.w.errors["connect"] += 1
            self.retry()

    def retry(self):
        if not self.w.stopping:
            asyncio.get_running_loop().call_later(1, lambda: asyncio.ensure_future(self.start()))

    def mark_ready(self):
        if not self.is_ready:
            self.is_ready = True
            self.w.ready += 1

    def connection_made(self, transport):
        self.transport = transport
        self.buf = b""
        self.head = None
        self.opened()

    def connection_lost(self, exc):
        self.transport = None
        if not self.w.stopping:
            self.w.errors["closed"] += 1
            self.retry()

    def close(self):
        if self.transport is not None:
            self.transport.abort()


class LongPoll(Subscriber):
    etag = modified = None

    def opened(self):
        self.poll()
        self.mark_ready()

    def poll(self):
        # Both cursor headers, as the deployed plugin sends them.
        extra = ("If-None-Match: %s\r\n" % self.etag if self.etag else "") + (
            "If-Modified-Since: %s\r\n" % self.modified if self.modified else "")
        self.transport.write(("GET /agentindesks/agentpull/%s?_=%d HTTP/1.1\r\nHost: b\r\n%s\r\n"
                              % (channel(self.agent), time.time() * 1000, extra)).encode())

    def data_received(self, data):
        t = now()
        self.buf += data
        while True:
            if self.head is None:
                i = self.buf.find(b"\r\n\r\n")
                if i < 0:
                    return
                self.status, headers = parse_head(self.buf[:i])
                self.head = headers
                self.length = int(headers.get(b"content-length", b"0"))
                self.buf = self.buf[i + 4:]
                if b"etag" in headers:
                    self.etag = headers[b"etag"].decode()
                if b"last-modified" in headers:
                    self.modified = headers[b"last-modified"].decode()
            if len(self.buf) < self.length:
                return
            body, self.buf = self.buf[:self.length], self.buf[self.length:]
            self.head = None
            if self.status == 200:
                for line in body.split(b"\r\n"):
                    self.w.got(line, "lp", t)
            elif self.status != 304:
                self.w.bad_status(self.status)
            if self.w.stopping:
                return
            if self.status >= 500:
                self.transport.close()
                return
            self.poll()


class EventStream(Subscriber):
    def opened(self):
        self.text = b""
        self.raw = b""
        self.need = 0
        if self.kind == "team":
            path = "/sse/team" if PEER else "/coccinterface/events?" + TEAM_QUERY
        else:
            path = ("/sse/" + channel(self.agent)) if PEER else ("/coccinterface/events?" + cred(self.agent))
        self.transport.write(("GET %s HTTP/1.1\r\nHost: b\r\nAccept: text/event-stream\r\n\r\n" % path).encode())

    def dechunk(self, data):
        self.raw += data
        out = []
        while True:
            if self.need == 0:
                i = self.raw.find(b"\r\n")
                if i < 0:
                    break
                size = int(self.raw[:i].split(b";")[0].strip() or b"0", 16)
                self.raw = self.raw[i + 2:]
                if size == 0:
                    break
                self.need = size + 2
            if len(self.raw) < self.need:
                break
            out.append(self.raw[:self.need - 2])
            self.raw = self.raw[self.need:]
            self.need = 0
        return b"".join(out)

    def data_received(self, data):
        t = now()
        if self.head is None:
            self.buf += data
            i = self.buf.find(b"\r\n\r\n")
            if i < 0:
                return
            status, self.head = parse_head(self.buf[:i])
            data, self.buf = self.buf[i + 4:], b""
            self.chunked = self.head.get(b"transfer-encoding", b"").lower() == b"chunked"
            if status != 200:
                self.w.bad_status(status)
                self.transport.close()
                return
            self.mark_ready()
        if self.chunked:
            data = self.dechunk(data)
        self.text += data
        if b"\n\n" not in self.text:
            return
        blocks = self.text.split(b"\n\n")
        self.text = blocks.pop()
        for block in blocks:
            for line in block.split(b"\n"):
                if line.startswith(b"data: "):
                    self.w.got(line[6:], self.kind, t)


async def worker_main(mine, conn):
    loop = asyncio.get_running_loop()
    inbox = listen([conn])
    w = Worker()
    assert (await inbox.get())[1][0] == "go"
    subs = [(LongPoll if kind == "lp" else EventStream)(w, agent, kind) for agent, kind in mine]
    began = now()
    for i in range(0, len(subs), CONNECT_BATCH):
        await asyncio.gather(*(s.start() for s in subs[i:i + CONNECT_BATCH]))
    while w.ready < len(subs) and now() - began < 120:
        await asyncio.sleep(0.05)
    conn.send(("ready", {"ready": w.ready, "of": len(subs), "seconds": round(now() - began, 2), "errors": dict(w.errors)}))
    assert (await inbox.get())[1][0] == "start"
    cpu0, wall0 = cpu_seconds(), now()
    lags = []
    stopped = False

    def tick(expected):
        t = now()
        lags.append(t - expected)
        if not stopped:
            loop.call_later(0.05, tick, t + 0.05)
    loop.call_later(0.05, tick, now() + 0.05)
    message = (await inbox.get())[1]
    assert message[0] == "stop"
    stopped = True
    w.stopping = True
    cpu1, wall1 = cpu_seconds(), now()
    for s in subs:
        s.close()
    _, sends, start = message
    exact = {seq: at for seq, (agent, kind, at) in enumerate(sends)}
    by_key = {}
    for agent, kind, at in sends:
        by_key.setdefault((agent, kind), []).append(at)
    out = {k: (array.array("d"), array.array("d")) for k in ("lp", "sse", "team")}
    unmatched = 0
    for agent, kind, seq, t, sub in w.receipts:
        at = exact.get(seq)
        if at is None or at > t:
            times = by_key.get((agent, kind))
            i = bisect.bisect_right(times, t) - 1 if times else -1
            if i < 0:
                unmatched += 1
                continue
            at = times[i]
        out[sub][0].append(at - start)
        out[sub][1].append(t - at)
    lags.sort()
    conn.send(("result", {
        "received": w.received, "errors": w.errors, "statuses": w.statuses, "unmatched": unmatched,
        "cpu_pct": round(100 * (cpu1 - cpu0) / max(1e-9, wall1 - wall0), 1),
        "loop_lag_ms": {"p99": round(lags[int(0.99 * (len(lags) - 1))] * 1000, 2) if lags else None,
                        "max": round(lags[-1] * 1000, 2) if lags else None},
        "latencies": {k: (a.tobytes(), l.tobytes()) for k, (a, l) in out.items()},
    }))


def worker(mine, conn):
    if uvloop is not None:
        uvloop.install()
    try:
        asyncio.run(worker_main(mine, conn))
    except BaseException:
        conn.send(("error", traceback.format_exc()))
        raise


# ---------------------------------------------------------------- publisher (parent)

def proc_cpu(pids):
    total = 0
    for pid in pids:
        try:
            fields = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


def proc_rss_mb(pids):
    total = 0
    for pid in pids:
        try:
            for line in open("/proc/%s/status" % pid):
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


async def read_head(reader):
    return parse_head((await reader.readuntil(b"\r\n\r\n"))[:-4])


async def operation(conn, query):
    reader, writer = conn
    if PEER:
        chan, body = query
        writer.write(("POST /pub/%s HTTP/1.1\r\nHost: b\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s"
                      % (chan, len(body), body)).encode())
    else:
        writer.write(("GET /coccinterfaces?%s HTTP/1.1\r\nHost: b\r\n\r\n" % query).encode())
    await writer.drain()
    status, headers = await read_head(reader)
    body = await reader.readexactly(int(headers.get(b"content-length", b"0")))
    return body.decode()


def pct(values, p):
    if not values:
        return None
    return round(values[min(len(values) - 1, int(p * len(values)))] * 1000, 2)


def figures(lat):
    lat = sorted(lat)
    return {"n": len(lat), "p50": pct(lat, 0.5), "p99": pct(lat, 0.99), "max": pct(lat, 1.0)}


async def main(pipes):
    inbox = listen(pipes)

    async def from_all(kind, timeout):
        got = [None] * len(pipes)
        for _ in pipes:
            try:
                i, message = await asyncio.wait_for(inbox.get(), timeout)
            except asyncio.TimeoutError:
                sys.exit("push_load: no %r from the subscriber processes in %d s" % (kind, timeout))
            if message is None or message[0] != kind:
                sys.exit("push_load: subscriber process %d: %s" % (i, message[1] if message else "gone"))
            got[i] = message[1]
        return got

    agents = list(range(FIRST, FIRST + AGENTS))
    conns = [await asyncio.open_connection(HOST, PORT) for _ in range(16)]
    lock = [asyncio.Lock() for _ in conns]

    async def op(i, query):
        async with lock[i % len(conns)]:
            return await operation(conns[i % len(conns)], query)

    setup = {}
    began = now()
    if not PEER:
        replies = await asyncio.gather(*(op(i, "EVENT=LOGIN&" + cred(a)) for i, a in enumerate(agents)))
        assert all(r.startswith("|Retuen|1|") for r in replies), replies[:3]
        setup["login_s"] = round(now() - began, 1)
    for conn in pipes:
        conn.send(("go",))
    ready = await from_all("ready", 300)
    setup["connect"] = ready
    await asyncio.sleep(2)   # every subscriber's request read and waiting

    order = agents[:]
    random.Random(1).shuffle(order)
    paused = {}
    sends = []           # (agent bytes, kind bytes, time), index = the event's number
    op_lat = []
    errors_ops = [0]
    interval = 1.0 / RATE
    rss_peak = [proc_rss_mb(SERVER_PIDS)]

    async def sample():
        while True:
            rss_peak[0] = max(rss_peak[0], proc_rss_mb(SERVER_PIDS))
            await asyncio.sleep(1)
    sampler = asyncio.create_task(sample())
    server_cpu0, cpu0 = proc_cpu(SERVER_PIDS), cpu_seconds()
    for conn in pipes:
        conn.send(("start",))
    start = now()
    count = 0
    pending = set()

    async def checked(i, q):
        try:
            t = now()
            reply = await op(i, q)
            op_lat.append(now() - t)
            if not (reply.startswith("|Retuen|1|") or (PEER and "queued messages" in reply)):
                errors_ops[0] += 1
        except (OSError, asyncio.IncompleteReadError, ValueError):
            errors_ops[0] += 1

    while now() - start < DURATION:
        agent = order[count % AGENTS]
        kind = "nopaused" if paused.get(agent) else "paused"
        paused[agent] = not paused.get(agent)
        if PEER:
            query = (channel(agent), "source=AGENT&event=%s&agent=%d&activenum=%d&AgentTeamId=1&AgentGroupId=1&%seventid=%d&"
                     % (kind, agent, agent, "reason=b%d&" % count if kind == "paused" else "", count))
        else:
            query = "EVENT=QUEUEPAUSE&type=%d&pause_reason=b%d&pushevent=yes&%s" % (2 if kind == "nopaused" else 1, count, cred(agent))
        sends.append((str(agent).encode(), kind.encode(), now()))
        task = asyncio.create_task(checked(count, query))
        pending.add(task)
        task.add_done_callback(pending.discard)
        count += 1
        delay = start + count * interval - now()
        if delay > 0:
            await asyncio.sleep(delay)
    seconds = now() - start
    await asyncio.sleep(2)   # the last events arrive
    server_cpu, cpu = proc_cpu(SERVER_PIDS) - server_cpu0, cpu_seconds() - cpu0
    window = now() - start
    sampler.cancel()
    for conn in pipes:
        conn.send(("stop", sends, start))
    results = await from_all("result", 300)

    received = {k: sum(r["received"][k] for r in results) for k in ("lp", "sse", "team")}
    errors = {k: sum(r["errors"][k] for r in results) for k in ("connect", "closed", "status")}
    errors["ops"] = errors_ops[0]
    statuses = {}
    for r in results:
        for s, n in r["statuses"].items():
            statuses[str(s)] = statuses.get(str(s), 0) + n
    lat = {}
    at = {}
    for k in ("lp", "sse", "team"):
        lat[k], at[k] = array.array("d"), array.array("d")
        for r in results:
            a, l = array.array("d"), array.array("d")
            a.frombytes(r["latencies"][k][0])
            l.frombytes(r["latencies"][k][1])
            at[k].extend(a)
            lat[k].extend(l)
    everything = list(lat["lp"]) + list(lat["sse"]) + list(lat["team"])
    stamps = list(at["lp"]) + list(at["sse"]) + list(at["team"])
    windows = {}
    for a, l in zip(stamps, everything):
        windows.setdefault(int(a // 10) * 10, []).append(l)
    lp_n, sse_n, team_n = (sum(1 for _, k in slots() if k == x) for x in ("lp", "sse", "team"))
    print(json.dumps({
        "server": PEER or "coccd",
        "agents": AGENTS, "pages": PAGES,
        "subscribers": {"longpoll": lp_n, "sse_agent": sse_n, "sse_team": team_n},
        "events": count, "seconds": round(seconds, 1), "events_per_s": round(count / seconds, 1),
        "received": {"longpoll": received["lp"], "sse_agent": received["sse"], "sse_team": received["team"]},
        "delivered": sum(received.values()),
        "errors": errors, "bad_statuses": statuses, "unmatched": sum(r["unmatched"] for r in results),
        "setup": setup,
        "all_ms": figures(everything),
        "agent_channel_ms": figures(list(lat["lp"]) + list(lat["sse"])),
        "longpoll_ms": figures(lat["lp"]),
        "sse_agent_ms": figures(lat["sse"]),
        "team_channel_ms": figures(lat["team"]),
        "p99_by_10s_ms": {str(k): pct(sorted(v), 0.99) for k, v in sorted(windows.items())},
        # The publishing request's own reply time (the operation, or the peer's publish).
        "publish_reply_ms": figures(op_lat),
        "generator": {
            "workers": len(pipes), "uvloop": uvloop is not None,
            "publisher_cpu_pct": round(100 * cpu / window, 1),
            "worker_cpu_pct": [r["cpu_pct"] for r in results],
            "worker_loop_lag_ms": [r["loop_lag_ms"] for r in results],
        },
        "server_window": {"cpu_s": round(server_cpu, 2), "cpu_pct": round(100 * server_cpu / window, 1),
                          "rss_peak_sampled_mb": round(rss_peak[0], 1)} if SERVER_PIDS else None,
    }))


if __name__ == "__main__":
    everyone = slots()
    pipes, procs = [], []
    ctx = multiprocessing.get_context("fork")
    for k in range(WORKERS):
        parent, child = ctx.Pipe()
        p = ctx.Process(target=worker, args=(everyone[k::WORKERS], child), daemon=True)
        p.start()
        pipes.append(parent)
        procs.append(p)
    if uvloop is not None:
        uvloop.install()
    asyncio.run(main(pipes))
    for p in procs:
        p.join(10)
