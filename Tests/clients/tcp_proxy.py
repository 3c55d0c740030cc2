#!/usr/bin/env python3
"""A loopback TCP proxy that can cut its connections, to drop coccd's ARI WebSocket while
Asterisk keeps running (run_asterisk.sh).

    tcp_proxy.py LISTEN_PORT TARGET_PORT

SIGUSR1 closes every open connection and refuses new ones until SIGUSR2 (a network outage
between coccd and Asterisk); connections made after SIGUSR2 are forwarded again.
"""
import asyncio
import signal
import sys

listen_port, target_port = int(sys.argv[1]), int(sys.argv[2])
open_writers = set()
refusing = False


async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def serve(client_reader, client_writer):
    if refusing:
        client_writer.close()
        return
    try:
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", target_port)
    except OSError:
        client_writer.close()
        return
    open_writers.update({client_writer, upstream_writer})
    await asyncio.gather(pipe(client_reader, upstream_writer), pipe(upstream_reader, client_writer))
    open_writers.difference_update({client_writer, upstream_writer})


def cut():
    global refusing
    refusing = True
    for writer in list(open_writers):
        writer.transport.abort()
    open_writers.clear()


def resume():
    global refusing
    refusing = False


async def main():
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, cut)
    loop.add_signal_handler(signal.SIGUSR2, resume)
    server = await asyncio.start_server(serve, "127.0.0.1", listen_port)
    print("listening", flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
