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


HTTP_MAX_CONNS = 80          # mgmt/http/http.h
HTTP_FIRST_S = 5             # HTTP_FIRST_MS: a new connection's first request
HTTP_IDLE_S = 15             # HTTP_IDLE_MS: a request after a response
VMS_REQUEST = b'GET /api/v1/vms HTTP/1.1\r\nHost: hv\r\n\r\n'


def _http_answer(sock):
    """(status, lower-cased headers, body) of one response on sock."""
    r = http.client.HTTPResponse(sock)
    r.begin()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()


def _http_full(port, timeout, log):
    """Fills every connection slot (one at a time: slirp's listener has a
    backlog of 1), checks the next connection's 503, frees one slot and
    checks that it serves again.  None, or what went wrong."""
    import json
    held = []
    try:
        while len(held) < HTTP_MAX_CONNS:
            # The earlier checks' connections may not all be freed yet: the
            # root notices a client's close on its next poll.
            for attempt in range(10):
                s = socket.create_connection(('127.0.0.1', port), timeout=timeout)
                s.sendall(VMS_REQUEST)
                status = _http_answer(s)[0]
                if status != 503:
                    break
                s.close()
                time.sleep(0.5)
            if status == 503:
                return f'connection {len(held) + 1} of {HTTP_MAX_CONNS}: 503 ten times'
            held.append(s)
        with socket.create_connection(('127.0.0.1', port), timeout=timeout) as s:
            s.sendall(VMS_REQUEST)
            status, headers, body = _http_answer(s)
            log(f'connection {HTTP_MAX_CONNS + 1}: {status} {headers.get("retry-after")} {body!r}')
            name = json.loads(body)['error']['name'] if status == 503 else None
            if status != 503 or headers.get('retry-after') != '1' or name != 'VM_E_OUT_OF_RESOURCE':
                return f'connection {HTTP_MAX_CONNS + 1}: {status} {headers} {body!r}, expected 503'
        held.pop().close()
        for attempt in range(20):       # the root notices the close on its next poll
            answers, _ = _http_exchange(port, VMS_REQUEST, 1, timeout)
            if answers[0][0] != 503:
                log(f'a freed slot serves again (attempt {attempt + 1})')
                return None
            time.sleep(0.25)
        return f'after a close the server still answers {answers[0][0]}'
    finally:
        for s in held:
            s.close()


def _still_open(sock):
    """True if the peer has neither closed sock nor sent anything on it."""
    sock.setblocking(False)
    try:
        sock.recv(1, socket.MSG_PEEK)
        return False            # data or an end of file
    except BlockingIOError:
        return True
    finally:
        sock.setblocking(True)


def _http_slow(port, log):
    """A first request cut off after its first header line gets 408 once
    the connection is HTTP_FIRST_S old; a kept-alive connection is closed
    without a word HTTP_IDLE_S after its last response.  None, or what
    went wrong."""
    with socket.create_connection(('127.0.0.1', port), timeout=10) as half, \
            socket.create_connection(('127.0.0.1', port), timeout=10) as idle:
        # The root times a request that is not complete from the moment the
        # connection came (bytes that do not finish it do not buy time), so
        # the wait counts from here.
        opened = time.monotonic()
        idle.sendall(VMS_REQUEST)
        if _http_answer(idle)[0] == 503:
            return 'the idle connection got 503 first'
        answered = time.monotonic()
        time.sleep(1)
        if not _still_open(idle):
            return 'the kept-alive connection was closed at once, not after being idle'
        half.sendall(b'GET /api/v1/vms HTTP/1.1\r\nHost: hv\r\n')
        half.settimeout(HTTP_FIRST_S + 10)
        status, _, body = _http_answer(half)
        waited = time.monotonic() - opened
        log(f'half-sent first request: {status} after {waited:.1f} s {body!r}')
        if status != 408 or b'VM_E_TIMED_OUT' not in body or waited < HTTP_FIRST_S - 1:
            return (f'half-sent first request: {status} after {waited:.1f} s, '
                    f'expected 408 after {HTTP_FIRST_S} s')
        idle.settimeout(HTTP_IDLE_S + 10)
        leftover = idle.recv(1)
        idled = time.monotonic() - answered
        log(f'kept-alive connection closed {idled:.1f} s after its answer')
        if leftover != b'':
            return f'the idle kept-alive connection got {leftover!r} instead of a close'
        if idled < HTTP_IDLE_S - 1:
            return f'the kept-alive connection was closed after {idled:.1f} s, expected {HTTP_IDLE_S} s'
    return None


def http_server(attempts=10, timeout=20, pause=2):
    """Checks the HTTP server on the root whatever the API behind it answers:
    every answer carries Server: hvroot; two pipelined requests get two
    answers in order on a kept-alive connection; Connection: close closes;
    a request body over 8 KiB is 413, malformed HTTP 400, headers over
    4 KiB 431, a path over 511 bytes 414, all with the JSON error
    E_INVALIDARG and a close; with all 80 connections in use the next gets
    503 VM_E_OUT_OF_RESOURCE with Retry-After and a freed slot serves
    again; a first request left half-sent gets 408 VM_E_TIMED_OUT after 5 s
    and an idle kept-alive connection is closed silently after 15 s."""
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
        fat = b'GET /api/v1/vms HTTP/1.1\r\nX-Pad: ' + b'p' * 5000 + b'\r\n\r\n'
        far = b'GET /api/v1/' + b'v' * 600 + b' HTTP/1.1\r\n\r\n'
        for name, payload, want in (('too large', big, 413),
                                    ('malformed', b'\x01\x02 nonsense\r\n\r\n', 400),
                                    ('headers too large', fat, 431),
                                    ('path too long', far, 414)):
            answers, closed = _http_exchange(port, payload, 1, timeout)
            status, headers, body = answers[0]
            log(f'{name}: {status} {body!r}')
            if status != want or error_hresult(body) != '0x80070057' or not closed:
                return f'{name}: {status} {body!r} closed {closed}, expected {want}'
        return _http_full(port, timeout, log) or _http_slow(port, log)

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


def reset_loop_lines(vm, seconds=20, burst=30, per_s=2):
    """qemu-reset-loop: `vm` resets itself at every start.  After `seconds`
    of that, hv's lines about its resets ("requested a reset") must stay
    within the life-cycle budget (burst, then per_s a second; hv/part/
    partition.h) while the guest's own "resetting" lines show it reset more
    often than that."""
    def check(port, log, serial_log):
        del port
        text = ''
        start = time.monotonic()
        time.sleep(seconds)
        elapsed = time.monotonic() - start
        with open(serial_log, 'rb') as f:
            text = f.read().decode('utf-8', 'replace')
        resets = text.count(f'hv: [{vm}] testos: resetting')
        logged = text.count(f'hv: partition {vm} requested a reset')
        # The client starts at the loop's first line: a few seconds' slack for the poll.
        budget = burst + per_s * (elapsed + 5)
        log(f'{resets} resets by the guest, {logged} logged by hv (budget {budget:.0f} '
            f'over {elapsed:.0f} s)')
        if logged > budget:
            return f'hv logged {logged} resets of {vm}, more than its budget {budget:.0f}'
        if resets <= logged:
            return f'{vm} reset {resets} times, no faster than hv logs ({logged}): nothing limited'
        return None
    check.wants_serial = True
    return check
