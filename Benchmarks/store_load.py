#!/usr/bin/env python3
"""Write-path load for Benchmarks/store_benchmark.sh (not a test).

WORKERS asyncio workers, each on its own keep-alive HTTP/1.1 connection, loop for DURATION
seconds. A pair is: take a free agent from the pool (AGENTS agents, FIRST, FIRST+1, ...), the form
interface's makeCall to 13800000001 as that agent, then hangup target=all of that agent's call,
then the agent goes back to the end of the pool. Each makeCall and hangup writes session state,
events and a call record to the store, so this drives the store's write path.

hangup answers once the switch has been told to hang up; the engine hears of the hangup a moment
later, as from a real PBX (README "Calls"). The pool makes that moment pass before an agent dials
again. Should it not have (makeCall answers BackMsg_22 or 17: that agent's last call is still up),
the worker waits 2 ms and dials again; those are counted as busy_retries, not as failures.
Every other reply must be the success code (|Retuen|1|...): another code, a non-200 or a broken
connection counts as a failure, and the worker goes on with the next pair.

Usage: store_load.py BASE FIRST AGENTS WORKERS DURATION PASSWORD
Prints one JSON object: pairs, failures, busy_retries, seconds, pairs_per_s, p50_ms, p99_ms,
samples (the first wrong replies).
"""
import asyncio, json, sys, time, urllib.parse

BASE, FIRST, AGENTS, WORKERS = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
DURATION, PASSWORD = float(sys.argv[5]), sys.argv[6]
HOST, PORT = urllib.parse.urlsplit(BASE).hostname, urllib.parse.urlsplit(BASE).port
latencies = []          # seconds per completed makeCall+hangup pair (both replies success)
failures = {"makecall": 0, "hangup": 0, "connection": 0}
samples = []            # the first few wrong replies, for the report
busy = [0]              # makeCalls answered "that agent's last call is still up", retried


async def post(reader, writer, body):
    data = body.encode()
    writer.write(b"POST /coccinterfaces HTTP/1.1\r\nHost: b\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                 b"Content-Length: %d\r\n\r\n%s" % (len(data), data))
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
        elif name.strip().lower() == "transfer-encoding" and "chunked" in value.lower():
            raise RuntimeError("chunked reply not expected")
    text = (await reader.readexactly(length)).decode("utf-8", "replace")
    return status, text


def ok(status, text):
    return status == 200 and text.startswith("|Retuen|1|")


def note(kind, status, text):
    failures[kind] += 1
    if len(samples) < 5:
        samples.append("%s: %s %s" % (kind, status, text.strip()[:120]))


def busy_reply(status, text):
    return status == 200 and (text.startswith("|Retuen|2|Retuen|BackMsg_22") or "|BackMsg_17" in text)


async def worker(pool, deadline):
    reader = writer = None
    while time.perf_counter() < deadline:
        agent = await pool.get()
        creds = "orgidentity=demo&usertype=agent&user=%d&pwdtype=plaintext&password=%s" % (agent, PASSWORD)
        call = "EVENT=MAKECALL&targetdn=13800000001&targettype=exter&agentgroupid=1&" + creds
        hang = "EVENT=HANGUP&target=all&targetagent=%d&%s" % (agent, creds)
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(HOST, PORT)
            start = time.perf_counter()
            status, text = await post(reader, writer, call)
            while busy_reply(status, text) and time.perf_counter() < deadline + 5:
                busy[0] += 1
                await asyncio.sleep(0.002)
                status, text = await post(reader, writer, call)
            if not ok(status, text):
                note("makecall", status, text)
                # Whatever state that left, end the agent's call before it dials again.
                await post(reader, writer, hang)
                continue
            status, text = await post(reader, writer, hang)
            if not ok(status, text):
                note("hangup", status, text)
                continue
            latencies.append(time.perf_counter() - start)
        except (OSError, asyncio.IncompleteReadError, ValueError, RuntimeError) as error:
            note("connection", "-", repr(error))
            if writer is not None:
                writer.close()
            reader = writer = None
            await asyncio.sleep(0.05)
        finally:
            pool.put_nowait(agent)
    if writer is not None:
        writer.close()


async def main():
    start = time.perf_counter()
    deadline = start + DURATION
    pool = asyncio.Queue()
    for i in range(AGENTS):
        pool.put_nowait(FIRST + i)
    await asyncio.gather(*(worker(pool, deadline) for _ in range(WORKERS)))
    seconds = time.perf_counter() - start
    lat = sorted(latencies)

    def pct(p):
        return lat[min(len(lat) - 1, int(len(lat) * p / 100))] * 1000 if lat else 0.0

    print(json.dumps({
        "pairs": len(lat), "failures": sum(failures.values()), "failure_kinds": failures, "busy_retries": busy[0],
        "seconds": round(seconds, 3), "pairs_per_s": round(len(lat) / seconds, 1),
        "p50_ms": round(pct(50), 2), "p99_ms": round(pct(99), 2), "samples": samples,
    }))


asyncio.run(main())
