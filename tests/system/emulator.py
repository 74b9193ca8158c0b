# emulator.py: starts an emulator in its own process group (and, for
# Bochs, on a pseudo-terminal whose output is drained into console.log),
# and kills the whole group when done.  Every running emulator is tracked
# so that stop_all() can clean up on Ctrl-C or on an exception.
import fcntl
import os
import pty
import signal
import struct
import subprocess
import termios
import threading

_running = set()
_lock = threading.Lock()


class Emulator:
    def __init__(self, launch, workdir):
        self.console_log = os.path.join(workdir, 'console.log')
        self._console = open(self.console_log, 'wb', buffering=0)
        self._drain = None
        # setpriv: the emulator also dies if this process is killed outright.
        argv = ['setpriv', '--pdeathsig', 'KILL', '--', *launch.argv]
        env = {**os.environ, 'TERM': 'vt100', **launch.env}
        if launch.use_pty:
            master, slave = pty.openpty()
            fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack('HHHH', 25, 80, 0, 0))
            self.proc = subprocess.Popen(argv, cwd=workdir, env=env, stdin=slave,
                                         stdout=slave, stderr=slave, start_new_session=True)
            os.close(slave)
            self._drain = threading.Thread(target=self._copy, args=(master,), daemon=True)
            self._drain.start()
        else:
            self.proc = subprocess.Popen(argv, cwd=workdir, env=env, stdin=subprocess.DEVNULL,
                                         stdout=self._console, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        with _lock:
            _running.add(self)

    def _copy(self, master):
        try:
            while True:
                data = os.read(master, 65536)
                if not data:
                    break
                self._console.write(data)
        except OSError:
            pass  # EIO: the emulator closed the terminal
        finally:
            os.close(master)

    def exited(self):
        return self.proc.poll() is not None

    def stop(self):
        """Kill the emulator's process group; returns its exit status."""
        if self.proc.poll() is None:
            _signal_group(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                pass
        _signal_group(self.proc.pid, signal.SIGKILL)  # leftovers of the group
        status = self.proc.wait()
        if self._drain:
            self._drain.join(timeout=2)
        self._console.close()
        with _lock:
            _running.discard(self)
        return status

    def console_tail(self):
        """The emulator's last words: Bochs' exit message, or else the last
        line of its output that has some text in it."""
        with open(self.console_log, 'rb') as f:
            text = f.read()[-4096:].decode('utf-8', 'replace')
        lines = [ln.strip() for ln in text.replace('\r', '\n').split('\n')]
        words = [ln for ln in lines if any(c.isalpha() for c in ln) and '\x1b' not in ln]
        for i, line in enumerate(words[:-1]):
            if 'exiting with the following message' in line:
                return words[i + 1][:160]
        return words[-1][:160] if words else ''


def _signal_group(pid, sig):
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def stop_all():
    with _lock:
        running = list(_running)
    for emu in running:
        emu.stop()


def interrupt_on_sigterm():
    """Makes SIGTERM behave like Ctrl-C, so that the same cleanup runs."""
    def handler(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, handler)
