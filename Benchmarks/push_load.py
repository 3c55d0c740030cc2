#!/usr/bin/env python3
"""Load generator for Benchmarks/push_benchmark.sh (not a test).

Opens N subscribers on loopback: half long-poll agent channels (/agentindesks/agentpull, as the
deployed plugin polls), the rest SSE (/coccinterface/events), of which TEAM follow the whole
team (supervisor screens). Then makes RATE events per second for DURATION seconds: each is a
queuePause/unpause sent with pushevent=yes, which appends one `paused`/`nopaused` notification
to that agent's channel (and the team's). Latency is measured from just before the request is
written to the moment a subscriber has parsed the message, so it is an upper bound of
append -> client: it includes the operation itself.

With PEER=nchan in the environment it drives the peer instead: nginx with the nchan module
(the successor of the nginx HTTP push module the original product ran on), subscribers on the
same long-poll protocol (/agentindesks/agentpull/<channel>) and on EventSource (/sse/<channel>,
/sse/team), and each event POSTed to /pub/<channel>, which nchan publishes to the agent's
channel and the team's. There is no operation behind the peer's publish, so the comparison
favours the peer.

Usage: push_load.py BASE AGENT_FIRST SUBSCRIBERS TEAM RATE DURATION
Prints one JSON object with the figures.
"""
import os
import asyncio, json, sys, time, urllib.parse

BASE, FIRST, N, TEAM, RATE, DURATION = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
HOST, PORT = urllib.parse.urlsplit(BASE).hostname, urllib.parse.urlsplit(BASE).port
PASSWORD = "bench"
PEER = os.environ.get("PEER", "")
sent = {}            # (agent, kind, serial) -> send time
agent_lat, team_lat, op_lat = [], [], []
errors = {"longpoll": 0, "sse": 0, "ops": 0}
received = {"longpoll": 0, "sse_agent": 0, "sse_team": 0}
seen = set()
stop = asyncio.Event()


def now():
    return time.perf_counter()


def key_of(message):
    fields = dict(p.split("=", 1) for p in message.split("&") if "=" in p)
    return fields.get("agent"), fields.get("event"), fields.get("eventid")


def record(message, team):
    agent, event, eventid = key_of(message)
    at = sent.get((agent, event, eventid)) or sent.get((agent, event))
    if at is None:
        return
    (team_lat if team else agent_lat).append(now() - at)


async def read_head(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    return status, headers


async def longpoll(agent):
    etag = modified = None
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection(HOST, PORT)
            while not stop.is_set():
                # Both cursor headers, as the deployed plugin sends them.
                extra = ("If-None-Match: %s\r\n" % etag if etag else "") + ("If-Modified-Since: %s\r\n" % modified if modified else "")
                writer.write(("GET /agentindesks/agentpull/demo-%d-%s?_=%d HTTP/1.1\r\nHost: b\r\n%s\r\n" % (agent, PASSWORD, time.time() * 1000, extra)).encode())
                await writer.drain()
                status, headers = await read_head(reader)
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                etag = headers.get("etag", etag)
                modified = headers.get("last-modified", modified)
                if status == 200:
                    for line in body.decode().split("\r\n"):
                        received["longpoll"] += 1
                        record(line, False)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            errors["longpoll"] += 1
            await asyncio.sleep(1)


async def sse(query, team):
    reader, writer = await asyncio.open_connection(HOST, PORT)
    path = ("/sse/" + query) if PEER else ("/coccinterface/events?" + query)
    writer.write(("GET %s HTTP/1.1\r\nHost: b\r\nAccept: text/event-stream\r\n\r\n" % path).encode())
    await writer.drain()
    status, headers = await read_head(reader)
    chunked = headers.get("transfer-encoding", "") == "chunked"
    buffer = b""
    try:
        while not stop.is_set():
            if chunked:
                size = int((await reader.readline()).strip() or b"0", 16)
                if size == 0:
                    break
                buffer += await reader.readexactly(size)
                await reader.readexactly(2)
            else:
                buffer += await reader.read(65536)
            while b"\n\n" in buffer:
                block, buffer = buffer.split(b"\n\n", 1)
                for line in block.decode().split("\n"):
                    if line.startswith("data: "):
                        received["sse_team" if team else "sse_agent"] += 1
                        record(line[6:], team)
    except (OSError, asyncio.IncompleteReadError, ValueError):
        errors["sse"] += 1


async def operation(conn, query):
    reader, writer = conn
    if PEER:
        channel, body = query
        writer.write(("POST /pub/%s HTTP/1.1\r\nHost: b\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s"
                      % (channel, len(body), body)).encode())
    else:
        writer.write(("GET /coccinterfaces?%s HTTP/1.1\r\nHost: b\r\n\r\n" % query).encode())
    await writer.drain()
    status, headers = await read_head(reader)
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return body.decode()


async def main():
    agents = list(range(FIRST, FIRST + N))
    conns = [await asyncio.open_connection(HOST, PORT) for _ in range(16)]
    lock = [asyncio.Lock() for _ in conns]

    async def op(i, query):
        async with lock[i % len(conns)]:
            return await operation(conns[i % len(conns)], query)

    cred = lambda a: "orgidentity=demo&usertype=agent&user=%d&pwdtype=plaintext&password=%s" % (a, PASSWORD)
    if not PEER:
        replies = await asyncio.gather(*(op(i, "EVENT=LOGIN&" + cred(a)) for i, a in enumerate(agents)))
        assert all(r.startswith("|Retuen|1|") for r in replies), replies[:3]
    channel = lambda a: "demo-%d-%s" % (a, PASSWORD)

    lp = agents[: N // 2]
    ss = agents[N // 2: N - TEAM]
    tasks = [asyncio.create_task(longpoll(a)) for a in lp]
    tasks += [asyncio.create_task(sse(channel(a) if PEER else cred(a), False)) for a in ss]
    team_query = "team" if PEER else "orgidentity=demo&usertype=account&user=admin&pwdtype=plaintext&password=%s" % PASSWORD
    tasks += [asyncio.create_task(sse(team_query, True)) for _ in range(TEAM)]
    await asyncio.sleep(3)   # every subscriber connected and waiting

    paused = {}
    interval = 1.0 / RATE
    start = now()
    count = 0
    pending = set()
    while now() - start < DURATION:
        agent = agents[count % N]
        kind = "nopaused" if paused.get(agent) else "paused"
        paused[agent] = not paused.get(agent)
        sent[(str(agent), kind)] = now()
        if PEER:
            query = (channel(agent), "source=AGENT&event=%s&agent=%d&activenum=%d&AgentTeamId=1&AgentGroupId=1&reason=bench&eventid=%d&" % (kind, agent, agent, count))
        else:
            query = "EVENT=QUEUEPAUSE&type=%d&pause_reason=bench&pushevent=yes&%s" % (2 if kind == "nopaused" else 1, cred(agent))
        async def checked(i, q):
            try:
                began = now()
                reply = await op(i, q)
                op_lat.append(now() - began)
                if not (reply.startswith("|Retuen|1|") or (PEER and "queued messages" in reply)):
                    errors["ops"] += 1
            except (OSError, asyncio.IncompleteReadError, ValueError):
                errors["ops"] += 1
        task = asyncio.create_task(checked(count, query))
        pending.add(task)
        task.add_done_callback(pending.discard)
        count += 1
        delay = start + count * interval - now()
        if delay > 0:
            await asyncio.sleep(delay)
    await asyncio.sleep(2)   # the last events arrive
    stop.set()
    for t in tasks:
        t.cancel()

    def pct(values, p):
        if not values:
            return None
        values = sorted(values)
        return round(values[min(len(values) - 1, int(p * len(values)))] * 1000, 2)

    print(json.dumps({
        "server": PEER or "coccd",
        "subscribers": {"longpoll": len(lp), "sse_agent": len(ss), "sse_team": TEAM},
        "events": count, "seconds": round(now() - start - 2, 1),
        "received": received, "errors": errors,
        "agent_channel_ms": {"n": len(agent_lat), "p50": pct(agent_lat, 0.5), "p99": pct(agent_lat, 0.99), "max": pct(agent_lat, 1.0)},
        "team_channel_ms": {"n": len(team_lat), "p50": pct(team_lat, 0.5), "p99": pct(team_lat, 0.99), "max": pct(team_lat, 1.0)},
        # The publishing request's own reply time (the operation, or the peer's publish).
        "publish_reply_ms": {"n": len(op_lat), "p50": pct(op_lat, 0.5), "p99": pct(op_lat, 0.99)},
    }))


asyncio.run(main())
