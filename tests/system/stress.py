# stress.py: the CPU hogs of `scripts/test --stress N`.  Starts N busy-loop
# shells at the suite's own priority (no extra nice) beside the tests, so
# that races and tight timeouts show, and always kills them: on return, on
# an exception or Ctrl-C (the `with` block), and if the suite itself is
# killed outright (setpriv's parent-death signal).
import contextlib
import os
import signal
import subprocess

BUSY_LOOP = 'while :; do :; done'


def start_hog():
    """One busy-loop shell in its own process group."""
    argv = ['setpriv', '--pdeathsig', 'KILL', '--', 'sh', '-c', BUSY_LOOP]
    return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def kill_hog(proc):
    """Kills a hog's whole process group and reaps it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


@contextlib.contextmanager
def hogs(count):
    """Runs `count` CPU hogs for the duration of the block."""
    procs = []
    try:
        for _ in range(count):
            procs.append(start_hog())
        if count:
            print(f'==> stress: {count} CPU-burning processes '
                  f'(pids {" ".join(str(p.pid) for p in procs)})', flush=True)
        yield procs
    finally:
        for proc in procs:
            kill_hog(proc)
        if procs:
            print(f'==> stress: {len(procs)} CPU-burning processes stopped', flush=True)
