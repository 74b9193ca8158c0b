# logwatch.py: follows a serial log file as the emulator writes it and
# checks its lines against a test's markers: expected regexes must match
# in order (one line satisfies at most one marker), forbidden regexes must
# not match any line.  Terminal escapes and carriage returns from the
# firmware are removed before matching.
import re
import time

_ESCAPES = re.compile(r'\x1b(\[[0-9;=?]*[ -/]*[@-~]|[@-Z\\-_])')


def clean(raw):
    return _ESCAPES.sub('', raw.decode('utf-8', 'replace')).replace('\r', '')


class Follower:
    """Yields the complete lines appended to a file since the last call."""

    def __init__(self, path):
        self.path = path
        self._pos = 0
        self._partial = b''

    def lines(self, final=False):
        try:
            with open(self.path, 'rb') as f:
                f.seek(self._pos)
                data = f.read()
        except FileNotFoundError:
            data = b''
        self._pos += len(data)
        parts = (self._partial + data).split(b'\n')
        self._partial = b'' if final else parts.pop()
        return [clean(p) for p in parts if p]


class Checker:
    def __init__(self, expect, forbid):
        self.expect = [re.compile(e) for e in expect]
        self.forbid = [re.compile(f) for f in forbid]
        self.matched = []          # (seconds since start, line) per marker
        self._start = time.monotonic()

    @property
    def done(self):
        return len(self.matched) == len(self.expect)

    def pending(self):
        return self.expect[len(self.matched)].pattern if not self.done else None

    def feed(self, line):
        """Checks one line; returns a failure reason or None."""
        for f in self.forbid:
            if f.search(line):
                return f'forbidden output: {line.strip()!r}'
        if not self.done and self.expect[len(self.matched)].search(line):
            self.matched.append((time.monotonic() - self._start, line))
        return None

    def report(self):
        rows = [f'{t:7.1f}s  {line}' for t, line in self.matched]
        rows += [f'missing   /{e.pattern}/' for e in self.expect[len(self.matched):]]
        return '\n'.join(rows) + '\n'
