# screen_client.py: the host side of the screen test.  It pictures QEMU's
# screen through QMP (stop the machine, screendump, read the serial log,
# go on) and hands picture and log to build/tests/screen_check, which draws
# the log with hv's own font code and compares every pixel
# (tests/system/screen_check.c).  A picture taken while hv was drawing a
# line is recognised as such and taken again; anything else that differs
# fails the test.
import json
import os
import pathlib
import re
import shutil
import socket
import subprocess
import time

PICTURE_ATTEMPTS = 10   # pictures taken in the middle of a line, at most
LINE_WAIT = 120         # seconds for the late marker to reach the serial log


class Qmp:
    """A QMP connection (QEMU's JSON machine protocol, one object a line)."""

    def __init__(self, path, timeout=30):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(str(path))
        self.file = self.sock.makefile('rw', encoding='utf-8')
        if 'QMP' not in self._read():
            raise ConnectionError('no QMP greeting')
        self.command('qmp_capabilities')

    def _read(self):
        line = self.file.readline()
        if not line:
            raise ConnectionError('QMP connection closed')
        return json.loads(line)

    def command(self, name, **arguments):
        message = {'execute': name, **({'arguments': arguments} if arguments else {})}
        self.file.write(json.dumps(message) + '\n')
        self.file.flush()
        while True:
            reply = self._read()
            if 'event' in reply:
                continue
            if 'error' in reply:
                raise RuntimeError(f'QMP {name}: {reply["error"].get("desc", reply)}')
            return reply['return']

    def close(self):
        self.sock.close()


def take_picture(qmp, serial_log, stem):
    """stem.ppm and stem.log: the screen and the serial log of one moment.
    The machine is stopped meanwhile, so neither moves on."""
    qmp.command('stop')
    try:
        qmp.command('screendump', filename=str(stem.with_suffix('.ppm')))
        shutil.copyfile(serial_log, stem.with_suffix('.log'))
    finally:
        qmp.command('cont')
    return stem.with_suffix('.ppm'), stem.with_suffix('.log')


def shown(qmp, serial_log, stem, pattern, log):
    """None once a picture that screen_check matched with the serial log
    shows a row matching pattern; else why not.  A picture taken while hv
    drew a line, or before it drew the last line of the log, is taken again."""
    checker = pathlib.Path(os.environ['HV_BUILD_DIR']) / 'tests' / 'screen_check'
    for attempt in range(1, PICTURE_ATTEMPTS + 1):
        picture, copy = take_picture(qmp, serial_log, stem)
        done = subprocess.run([str(checker), str(picture), str(copy)], capture_output=True,
                              text=True, timeout=60)
        lines = done.stdout.splitlines()
        head = lines[0] if lines else done.stderr.strip()
        log(f'{stem.name} #{attempt}: {head}')
        if done.returncode not in (0, 2):
            for line in lines[1:]:
                log(f'  expected {line}')
            return f'{stem.name}: {head[:300]}'
        rows = [ln.split(': ', 1)[1] for ln in lines[1:] if ln.startswith('row ')]
        if done.returncode == 0 and any(re.search(pattern, row) for row in rows):
            log(f'{stem.name}: /{pattern}/ is on the screen')
            return None
        lag = re.search(r'as after line (\d+) of (\d+)', head)
        if done.returncode == 0 and not (lag and int(lag.group(1)) < int(lag.group(2))):
            for row in rows:
                log(f'  shown {row}')
            return f'{stem.name}: no row on the screen matches /{pattern}/'
        time.sleep(0.2)
    return f'{stem.name}: hv had not drawn its last line in any of {PICTURE_ATTEMPTS} pictures'


def wait_for_line(serial_log, pattern, timeout=LINE_WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if re.search(pattern, pathlib.Path(serial_log).read_text(errors='replace'), re.M):
            return True
        time.sleep(0.2)
    return False


def screen(early, late, then=None):
    """A harness client (Case.client): a picture right away (start it at the
    banner line) must show a line matching `early`; once `late` is in the
    serial log, a second picture must show it.  Then `then(port, log)`, if
    given, runs as the rest of the client."""
    def client(port, log, serial_log, qmp_path):
        work = pathlib.Path(serial_log).parent
        qmp = Qmp(qmp_path)
        try:
            error = shown(qmp, serial_log, work / 'screen-early', early, log)
            if error:
                return error
            if not wait_for_line(serial_log, late):
                return f'no line /{late}/ in the serial log within {LINE_WAIT}s'
            error = shown(qmp, serial_log, work / 'screen-late', late, log)
            if error:
                return error
        finally:
            qmp.close()
        return then(port, log) if then else None
    client.wants_serial = True
    client.wants_qmp = True
    return client
