# bench_tls.py: the TLS figures of scripts/bench --api --tls (bench_api.py
# boots the root and calls these): full and resumed handshakes per second
# and what a full one costs the root (its own handshake clock, /metrics),
# the TLS arena with one connection and with all 80 open over TLS.  The
# client side is Python's ssl module (OpenSSL), verifying the root's
# certificate like any client would.
import re
import socket
import ssl
import time

METRIC = re.compile(r'^(hv_\w+)(\{[^}]*\})? (\S+)$', re.M)


def context(cafile):
    ctx = ssl.create_default_context(cafile=str(cafile))
    ctx.check_hostname = False   # the certificate names 127.0.0.1; keep it simple and fast
    return ctx


def https_get(port, ctx, token, path, timeout=5):
    """(status, body) of one GET over a new HTTPS connection, or (None, error)."""
    import http.client
    conn = http.client.HTTPSConnection('127.0.0.1', port, timeout=timeout, context=ctx)
    try:
        conn.request('GET', path, headers={'Authorization': f'Bearer {token}'})
        r = conn.getresponse()
        return r.status, r.read()
    except (OSError, http.client.HTTPException, ssl.SSLError) as e:
        return None, str(e)
    finally:
        conn.close()


def metrics(text):
    """{'name{labels}': float} of a /metrics answer."""
    return {m.group(1) + (m.group(2) or ''): float(m.group(3)) for m in METRIC.finditer(text)}


def handshake(port, ctx, session=None):
    """One handshake on a new connection; returns the SSL socket (open)."""
    sock = socket.create_connection(('127.0.0.1', port), timeout=30)
    return ctx.wrap_socket(sock, server_hostname='127.0.0.1', session=session)


def handshake_rate(port, ctx, count, resume):
    """(handshakes per second, how many were resumptions) for count handshakes
    in a row, each on its own connection, closed at once."""
    session, reused = None, 0
    start = time.monotonic()
    for _ in range(count):
        s = handshake(port, ctx, session if resume else None)
        reused += s.session_reused
        if resume and session is None:
            # TLS 1.2 tickets arrive with the handshake: the session is whole now.
            session = s.session
        s.close()
    return count / (time.monotonic() - start), reused


def open_many(port, ctx, count, token):
    """count TLS connections with their handshake done and one request
    answered (so that the server's first-request limit does not cut them;
    its idle limit is 15 s), kept open: one full handshake, then
    resumptions of its session."""
    conns = []
    for i in range(count):
        conns.append(handshake(port, ctx, conns[0].session if conns else None))
        if i < count - 1:
            get_on(conns[-1], token, '/api/v1/nothing')   # 404, at once
    return conns


def get_on(conn, token, path):
    """A GET on an open TLS connection (keep-alive); the body."""
    conn.sendall(f'GET {path} HTTP/1.1\r\nHost: hvroot\r\nAuthorization: Bearer {token}\r\n'
                 '\r\n'.encode())
    data = b''
    while b'\r\n\r\n' not in data:
        data += recv_some(conn)
    head, _, body = data.partition(b'\r\n\r\n')
    length = int(re.search(rb'Content-Length: (\d+)', head).group(1))
    while len(body) < length:
        body += recv_some(conn)
    return body.decode()


def recv_some(conn):
    data = conn.recv(65536)
    if not data:
        raise ConnectionError('the server closed the connection')
    return data


def steady(open_conn, token, path, conns, seconds):
    """Requests/s, p50 and p99 (ms) of conns keep-alive connections already
    open (open_conn() gives one), each sending one request after another
    for seconds: the load once no connection is being opened."""
    import threading
    lats, lock, stop = [], threading.Lock(), time.monotonic() + seconds
    sockets = []
    for _ in range(conns):   # each answers once at once: the server's first-request limit is 5 s
        sockets.append(open_conn())
        get_on(sockets[-1], token, path)

    def worker(c):
        mine = []
        while time.monotonic() < stop:
            t = time.monotonic()
            get_on(c, token, path)
            mine.append(time.monotonic() - t)
        with lock:
            lats.extend(mine)

    threads = [threading.Thread(target=worker, args=(c,)) for c in sockets]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    for c in sockets:
        c.close()
    lats.sort()
    pick = lambda q: lats[min(len(lats) - 1, int(q * len(lats)))] * 1000 if lats else float('nan')
    return len(lats) / elapsed, pick(0.5), pick(0.99)
