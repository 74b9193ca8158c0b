# logwatch.py: follows a serial log file as the emulator writes it and
# checks its lines against a test's markers: expected regexes must match
# in order (one line satisfies at most one marker), forbidden regexes must
# not match any line.  An expected marker may also be a set of regexes
# that must all match, in any order, before the next marker (for output
# of partitions running side by side).  Terminal escapes and carriage returns from the
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


def _flatten(expect):
    """Expected markers as a list of regex lists: one element per ordered step."""
    steps = []
    for e in expect:
        group = sorted(e) if isinstance(e, (set, frozenset)) else [e]
        steps.append([re.compile(g) for g in group])
    return steps


class Checker:
    def __init__(self, expect, forbid):
        self.steps = _flatten(expect)
        self.forbid = [re.compile(f) for f in forbid]
        self.matched = []          # (seconds since start, line) per regex matched
        self._step = 0
        self._waiting = list(self.steps[0]) if self.steps else []
        self._start = time.monotonic()

    @property
    def done(self):
        return self._step == len(self.steps)

    def pending(self):
        return ' & '.join(r.pattern for r in self._waiting) if not self.done else None

    def feed(self, line):
        """Checks one line; returns a failure reason or None."""
        for f in self.forbid:
            if f.search(line):
                return f'forbidden output: {line.strip()!r}'
        for r in self._waiting:
            if r.search(line):
                self._waiting.remove(r)
                self.matched.append((time.monotonic() - self._start, line))
                break
        while not self.done and not self._waiting:
            self._step += 1
            if not self.done:
                self._waiting = list(self.steps[self._step])
        return None

    def report(self):
        rows = [f'{t:7.1f}s  {line}' for t, line in self.matched]
        rows += [f'missing   /{r.pattern}/' for r in self._waiting]
        for step in self.steps[self._step + 1:]:
            rows += [f'missing   /{r.pattern}/' for r in step]
        return '\n'.join(rows) + '\n'
