#!/usr/bin/env python3
"""memory_clients.py PORT N WAIT...: used_memory per idle client.

Opens N connections to 127.0.0.1:PORT, sends one PING on each and reads the +PONG, then for each
WAIT (seconds, cumulative from that moment) reads INFO memory on a separate connection and prints
"wait=<s> bytes_per_client=<n>" against the used_memory measured before the N connections.
"""
import socket
import sys
import time


def used_memory(sock):
    sock.sendall(b"*2\r\n$4\r\nINFO\r\n$6\r\nmemory\r\n")
    data = b""
    while True:
        data += sock.recv(65536)
        head, sep, rest = data.partition(b"\r\n")
        if sep and len(rest) >= int(head[1:]) + 2:
            break
    for line in rest.split(b"\r\n"):
        if line.startswith(b"used_memory:"):
            return int(line.split(b":")[1])
    raise RuntimeError("no used_memory in INFO")


def main():
    port, n = int(sys.argv[1]), int(sys.argv[2])
    waits = [float(w) for w in sys.argv[3:]] or [0.5]
    probe = socket.create_connection(("127.0.0.1", port))
    used_memory(probe)
    time.sleep(0.2)
    base = used_memory(probe)
    conns = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"PING\r\n")
        conns.append(s)
    for s in conns:
        if s.recv(16) != b"+PONG\r\n":
            raise RuntimeError("bad PING reply")
    start = time.time()
    for w in waits:
        time.sleep(max(0.0, start + w - time.time()))
        print("wait=%.1fs bytes_per_client=%d" % (w, (used_memory(probe) - base) // n))
    for s in conns:
        s.close()


if __name__ == "__main__":
    main()
