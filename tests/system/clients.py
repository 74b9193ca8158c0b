# clients.py: host-side clients for system tests (Case.client).  A client
# is called as client(port, log): port is the host port on 127.0.0.1 that
# the emulator forwards to the root's TCP port 80, log(message) writes to
# the test's client.log.  It returns None on success or a short error
# string, and bounds every wait itself (socket timeouts).
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
