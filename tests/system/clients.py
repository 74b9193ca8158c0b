# clients.py: host-side clients for system tests (Case.client).  A client
# is called as client(port, log): port is the host port on 127.0.0.1 that
# the emulator forwards to the root's TCP port 80, log(message) writes to
# the test's client.log.  It returns None on success or a short error
# string, and bounds every wait itself (socket timeouts).
import http.client
import socket
import time

HELLO = b'hvroot hello\n'
MAX_REPLY = 4096


def _read_all(port, timeout):
    """Connects, reads until the peer closes; returns the bytes."""
    data = b''
    with socket.create_connection(('127.0.0.1', port), timeout=timeout) as s:
        s.settimeout(timeout)
        while len(data) <= MAX_REPLY:
            chunk = s.recv(MAX_REPLY)
            if not chunk:
                break
            data += chunk
    return data


def tcp_hello(attempts=3, timeout=30, pause=2, count=1):
    """The root's net_hello service: a connection gets exactly HELLO, then
    the root closes it; count exchanges must succeed in a row (many of them
    wrap the driver's 64-descriptor rings several times).  QEMU's user
    network accepts the host connection before the guest does and closes
    it empty if the guest refuses, so a few attempts are allowed for the
    first exchange; Bochs' slirp listens with a backlog of 1, so its cases
    connect once (attempts=1) with a long timeout."""
    def exchange(port):
        data = _read_all(port, timeout)
        return None if data == HELLO else f'received {data!r}, expected {HELLO!r}'

    def client(port, log):
        last = 'no attempt'
        for attempt in range(1, attempts + 1):
            try:
                last = exchange(port)
            except OSError as e:
                last = f'{type(e).__name__}: {e}'
            log(f'attempt {attempt}: {last or "ok"}')
            if last is None:
                break
            if attempt < attempts:
                time.sleep(pause)
        if last is not None:
            return f'{attempts} attempt(s), last: {last}'
        for n in range(2, count + 1):
            try:
                error = exchange(port)
            except OSError as e:
                error = f'{type(e).__name__}: {e}'
            if error:
                return f'exchange {n} of {count}: {error}'
        if count > 1:
            log(f'{count} exchanges ok')
        return None
    return client


# The management HTTP server (mgmt/http, docs/http.md) seen from the host:
# keep-alive, pipelining, the limits and malformed requests, through the
# emulator's forwarded port.  Responses are read with http.client, one
# after another from the same socket.
class _KeepOpen:
    """A file object whose close() leaves the socket's reader usable, so
    http.client can read several responses from one connection."""
    def __init__(self, f):
        self._f = f

    def close(self):
        pass

    def __getattr__(self, name):
        return getattr(self._f, name)


class _Socketish:
    def __init__(self, f):
        self._f = f

    def makefile(self, *args, **kwargs):
        return self._f


def _http_exchange(port, payload, count, timeout, head=False):
    """Sends payload, reads count responses; returns [(status, headers, body)]
    and whether the server then closed the connection."""
    out = []
    with socket.create_connection(('127.0.0.1', port), timeout=timeout) as s:
        s.settimeout(timeout)
        s.sendall(payload)
        f = _KeepOpen(s.makefile('rb'))
        for _ in range(count):
            r = http.client.HTTPResponse(_Socketish(f), method='HEAD' if head else 'GET')
            r.begin()
            out.append((r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()))
        s.settimeout(min(timeout, 3))   # a kept-alive connection stays silent
        try:
            closed = f.read(1) == b''
        except socket.timeout:
            closed = False
    return out, closed


def http_server(attempts=10, timeout=20, pause=2):
    """Checks the HTTP server on the root whatever the API behind it answers:
    every answer carries Server: hvroot; two pipelined requests get two
    answers in order on a kept-alive connection; Connection: close closes;
    a request body over 8 KiB is 413, malformed HTTP 400, both with the
    JSON error E_INVALIDARG and a close."""
    import json

    def error_hresult(body):
        return json.loads(body)['error']['hresult']

    def checks(port, log):
        rq = b'GET /api/v1/vms HTTP/1.1\r\nHost: hv\r\n\r\n'
        answers, closed = _http_exchange(port, rq + rq, 2, timeout)
        for status, headers, body in answers:
            log(f'pipelined: {status} {headers.get("server")} {body[:80]!r}')
            if headers.get('server') != 'hvroot' or headers.get('connection') != 'keep-alive':
                return f'pipelined answer headers {headers}'
        if closed:
            return 'keep-alive connection closed after two answers'
        answers, closed = _http_exchange(
            port, b'GET /api/v1/vms HTTP/1.1\r\nConnection: close\r\n\r\n', 1, timeout)
        if not closed or answers[0][1].get('connection') != 'close':
            return f'Connection: close not honoured ({answers[0][1]}, closed {closed})'
        big = b'PUT /api/v1/vms HTTP/1.1\r\nContent-Length: 9000\r\n\r\n' + b'x' * 9000
        for name, payload, want in (('too large', big, 413),
                                    ('malformed', b'\x01\x02 nonsense\r\n\r\n', 400)):
            answers, closed = _http_exchange(port, payload, 1, timeout)
            status, headers, body = answers[0]
            log(f'{name}: {status} {body!r}')
            if status != want or error_hresult(body) != '0x80070057' or not closed:
                return f'{name}: {status} {body!r} closed {closed}, expected {want}'
        return None

    def client(port, log):
        last = 'no attempt'
        # QEMU accepts the host's connection before the root listens: the
        # first exchanges may be closed empty.
        for attempt in range(1, attempts + 1):
            try:
                _http_exchange(port, b'GET / HTTP/1.1\r\n\r\n', 1, timeout)
                last = None
                break
            except (OSError, http.client.HTTPException) as e:
                last = f'{type(e).__name__}: {e}'
                log(f'attempt {attempt}: {last}')
                time.sleep(pause)
        if last is not None:
            return f'no HTTP answer in {attempts} attempts, last: {last}'
        try:
            return checks(port, log)
        except (OSError, http.client.HTTPException, ValueError, KeyError) as e:
            return f'{type(e).__name__}: {e}'
    return client
