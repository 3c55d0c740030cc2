#!/usr/bin/env python3
"""Load generator for Benchmarks/hostile_benchmark.sh (not a test). Loopback only.

A legitimate SOAP client sends agentStatus and login requests (as a CRM does) at a fixed RATE
per second, on keep-alive connections, for DURATION seconds: first alone, then while ATTACKERS
concurrent attackers send hostile envelopes as fast as the server takes them. Legitimate
latency runs from the moment a request was due (not when a connection was free), so a stalled
server cannot hide its stall (no coordinated omission).

The attackers rotate through: an attribute bomb like the issue's (240 KB, 25,000 attributes on the
operation element), one that fits a 64 KiB cap (6,000 attributes), a namespace-declaration
bomb, 7,000-deep nesting, DOCTYPE bodies (billion laughs) and 2 MiB oversized bodies. Each
attacker stops at DURATION or after MAX_ATTACKS requests, whichever comes first. The attackers
run in their own process, so that their work does not delay the legitimate client's event loop.

Usage: hostile_load.py HOST PORT RATE DURATION ATTACKERS [SERVER_PID]
Prints one JSON object with the figures.
"""
import asyncio, json, multiprocessing, sys, time

HOST, PORT = sys.argv[1], int(sys.argv[2])
RATE, DURATION, ATTACKERS = float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
SERVER_PID = sys.argv[6] if len(sys.argv) > 6 else None
MAX_ATTACKS = 20_000
TIMEOUT = 30.0

ENV = ('<?xml version="1.0" encoding="UTF-8"?>\n<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" '
       'xmlns:ns1="urn:coccwi"><SOAP-ENV:Body>{}</SOAP-ENV:Body></SOAP-ENV:Envelope>')
CRED = "<orgidentity>demo</orgidentity><usertype>agent</usertype><user>{}</user><pwdtype>plaintext</pwdtype><password>123456</password>"
LEGIT = [ENV.format("<ns1:agentStatus>" + CRED.format("8001") + "</ns1:agentStatus>").encode(),
         ENV.format("<ns1:login>" + CRED.format("8002") + "</ns1:login>").encode()]


def attribute_bomb(n):
    return ENV.format("<ns1:login " + " ".join(f'a{i}=""' for i in range(n)) + ">" + CRED.format("8001") + "</ns1:login>").encode()


HOSTILE = {
    "attribute bomb 240 KB": attribute_bomb(25_000),
    "attribute bomb 60 KB": attribute_bomb(6_000),
    "namespace bomb": ENV.format("<ns1:login " + " ".join(f'xmlns:p{i}="urn:{i}"' for i in range(2_500)) + "/>").encode(),
    "deep nesting": ENV.format("<ns1:login>" + "<a>" * 7_000 + "</a>" * 7_000 + "</ns1:login>").encode(),
    "DOCTYPE": ('<?xml version="1.0"?><!DOCTYPE l [<!ENTITY l "lol">'
                + "".join(f'<!ENTITY l{i} "{("&l" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
                + ']>' + ENV.format("<ns1:login><user>&l9;</user></ns1:login>")).encode(),
    "oversized 2 MiB": ENV.format("<ns1:login><user>" + "x" * (2 << 20) + "</user></ns1:login>").encode(),
}


def request(body):
    return (f"POST /coccwi.php HTTP/1.1\r\nHost: {HOST}:{PORT}\r\nContent-Type: text/xml; charset=utf-8\r\n"
            f"SOAPAction: \"urn:coccwi\"\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body


async def read_response(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    body = await reader.readexactly(length)
    return status, body, b"connection: close" in head.lower()


def percentile(values, p):
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


async def legitimate(duration):
    """Fixed-rate legitimate requests; returns latencies (s) and error count."""
    idle, latencies, errors, tasks = [], [], [0], []

    async def one(i, due):
        conn = idle.pop() if idle else None
        try:
            if conn is None:
                conn = await asyncio.wait_for(asyncio.open_connection(HOST, PORT), TIMEOUT)
            r, w = conn
            w.write(request(LEGIT[i % 2]))
            status, body, close = await asyncio.wait_for(read_response(r), TIMEOUT)
            latencies.append(time.perf_counter() - due)
            if status != 200 or b"|Retuen|" not in body:
                errors[0] += 1
            if close:
                w.close()
            else:
                idle.append(conn)
        except Exception:
            errors[0] += 1
            if conn:
                conn[1].close()

    start = time.perf_counter()
    i = 0
    while True:
        due = start + i / RATE
        if due - start >= duration:
            break
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, due)))
        i += 1
    await asyncio.gather(*tasks)
    for _, w in idle:
        w.close()
    return latencies, errors[0], i


async def attacker(k, deadline, counts):
    names = list(HOSTILE)
    sent = 0
    while time.perf_counter() < deadline and sent < MAX_ATTACKS:
        name = names[(k + sent) % len(names)]
        sent += 1
        try:
            r, w = await asyncio.wait_for(asyncio.open_connection(HOST, PORT), TIMEOUT)
            w.write(request(HOSTILE[name]))
            try:
                status, body, _ = await asyncio.wait_for(read_response(r), TIMEOUT)
                key = f"{status} {'Fault' if b'Fault' in body else ''}".strip()
            except (asyncio.IncompleteReadError, ConnectionError):
                key = "closed"
            w.close()
        except Exception as e:
            key = type(e).__name__
        counts.setdefault(name, {}).setdefault(key, 0)
        counts[name][key] += 1


def summary(latencies, errors, sent):
    ms = lambda v: None if v is None else round(v * 1000, 2)
    return {"sent": sent, "answered": len(latencies), "errors": errors, "p50_ms": ms(percentile(latencies, 50)),
            "p99_ms": ms(percentile(latencies, 99)), "max_ms": ms(max(latencies) if latencies else None)}


def peak_rss_mb():
    try:
        with open(f"/proc/{SERVER_PID}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except (OSError, TypeError):
        return None


def attack(seconds, results):
    """The attackers' process: ATTACKERS concurrent loops for `seconds`; counts go to `results`."""
    async def run():
        counts = {}
        deadline = time.perf_counter() + seconds
        await asyncio.gather(*(attacker(k, deadline, counts) for k in range(ATTACKERS)))
        return counts
    results.put(asyncio.run(run()))


async def main():
    out = {"rate": RATE, "duration_s": DURATION, "attackers": ATTACKERS}
    # Warm up (connections, caches), not measured.
    await legitimate(1.0)
    out["without_attack"] = summary(*await legitimate(DURATION))
    results = multiprocessing.Queue()
    attackers = multiprocessing.Process(target=attack, args=(DURATION + 1.5, results))
    attackers.start()
    await asyncio.sleep(1.0)  # let the attack build up first
    out["with_attack"] = summary(*await legitimate(DURATION))
    out["attacks"] = results.get(timeout=TIMEOUT + 60)
    attackers.join()
    out["server_peak_rss_mb"] = peak_rss_mb()
    a, b = out["without_attack"], out["with_attack"]
    if a["p50_ms"] and b["p50_ms"]:
        out["ratio_p50"] = round(b["p50_ms"] / a["p50_ms"], 2)
        out["ratio_p99"] = round(b["p99_ms"] / a["p99_ms"], 2)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    asyncio.run(main())
