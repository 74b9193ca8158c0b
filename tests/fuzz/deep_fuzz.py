#!/usr/bin/env python3
# deep_fuzz.py: the body of scripts/fuzz.  Builds the fuzz targets of the
# meson suite `fuzz`, runs the chosen ones in parallel (one per core) for N
# minutes each, with persistent corpora in build/fuzz-corpus/<target>/
# (seeded from tests/fuzz/corpus/<target>/) and findings in
# build/fuzz-findings/<target>/, then prints a table per target and exits
# 1 if any target found something, 2 if libFuzzer is unavailable.  With
# --runs N a target stops as soon as it has run N inputs (the minutes then
# cap it), so fast targets free their core for slow ones.
import argparse
import concurrent.futures
import dataclasses
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / 'tests' / 'system'))
import build  # noqa: E402  (tests/system/build.py, shared with scripts/test)

FINDING_PREFIXES = ('crash-', 'leak-', 'timeout-', 'oom-')
STATUS = re.compile(r'^#(\d+)\s.*\bcov: (\d+)')
EXECUTED = re.compile(r'stat::number_of_executed_units:\s*(\d+)')
MAX_RUNS = 20  # restarts after findings, per target

_running = set()          # the fuzzers running now, killed on Ctrl-C
_lock = threading.Lock()
_cancel = threading.Event()


@dataclasses.dataclass
class Target:
    name: str          # fuzz_hvcfg
    binary: pathlib.Path
    seeds: pathlib.Path


@dataclasses.dataclass
class Outcome:
    target: Target
    executions: int = 0
    seconds: float = 0.0
    coverage: str = '-'
    findings: list = dataclasses.field(default_factory=list)  # (file, its run's log)
    runs: int = 0


def libfuzzer_available():
    """True when clang can link a libFuzzer program (probe_libfuzzer.py)."""
    clang = shutil.which('clang')
    if not clang:
        return False
    probe = ROOT / 'tests' / 'fuzz' / 'probe_libfuzzer.py'
    return subprocess.run([sys.executable, str(probe), clang]).returncode == 0


def fuzz_targets(build_dir):
    """The targets of the meson suite `fuzz`, from their run_fuzz.py command."""
    out = subprocess.run(['meson', 'introspect', str(build_dir), '--tests'],
                         capture_output=True, text=True, check=True).stdout
    targets = []
    for test in json.loads(out):
        if not any(s == 'fuzz' or s.endswith(':fuzz') for s in test['suite']):
            continue
        cmd = test['cmd']  # python run_fuzz.py BINARY SEEDS WORK SECONDS
        runner = next(i for i, a in enumerate(cmd) if a.endswith('run_fuzz.py'))
        binary, seeds = cmd[runner + 1], cmd[runner + 2]
        workdir = pathlib.Path(test.get('workdir') or build_dir)  # meson's default cwd
        targets.append(Target(test['name'], workdir / binary, pathlib.Path(seeds)))
    return targets


def choose(targets, wanted):
    """The targets named (with or without 'fuzz_'); all when none are named."""
    if not wanted:
        return targets
    by_name = {t.name: t for t in targets}
    chosen = []
    for name in wanted:
        key = name if name.startswith('fuzz_') else 'fuzz_' + name
        if key not in by_name:
            raise SystemExit(f'scripts/fuzz: no fuzz target {name!r} '
                             f'(have: {" ".join(sorted(by_name))})')
        chosen.append(by_name[key])
    return chosen


def compile_targets(build_dir, targets):
    """Builds just the chosen fuzz binaries (meson knows them by file name)."""
    names = [t.binary.name for t in targets]
    argv = ['meson', 'compile', '-C', str(build_dir), *names]
    print('==> ' + ' '.join(argv), flush=True)
    return subprocess.run(argv).returncode == 0


def fuzzer_argv(target, corpus, findings, seconds, runs=0):
    argv = [str(target.binary), f'-max_total_time={seconds}', '-timeout=10',
            '-rss_limit_mb=2048', '-print_final_stats=1',
            f'-artifact_prefix={findings}{os.sep}', str(corpus)]
    if runs > 0:
        argv.insert(1, f'-runs={runs}')
    if target.seeds.is_dir() and any(target.seeds.iterdir()):
        argv.append(str(target.seeds))  # read-only: new inputs go to `corpus`
    return argv


def read_stats(logfile, outcome):
    """Adds a run's executions and coverage from libFuzzer's output."""
    executed, last_status = None, None
    for line in logfile.read_text(errors='replace').splitlines():
        status = STATUS.match(line)
        if status:
            last_status = status
        stat = EXECUTED.search(line)
        if stat:
            executed = int(stat.group(1))
    if executed is None and last_status:
        executed = int(last_status.group(1))
    outcome.executions += executed or 0
    if last_status:
        outcome.coverage = last_status.group(2)


def findings_in(directory):
    return {p for p in directory.iterdir() if p.name.startswith(FINDING_PREFIXES)}


def run_fuzzer(argv, logfile):
    """Runs one fuzzer process to its end (or until Ctrl-C kills it)."""
    with open(logfile, 'w') as log:
        proc = subprocess.Popen(['setpriv', '--pdeathsig', 'KILL', '--', *argv],
                                stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        with _lock:
            _running.add(proc)
        try:
            proc.wait()
        finally:
            with _lock:
                _running.discard(proc)


def kill_all():
    _cancel.set()
    with _lock:
        procs = list(_running)
    for proc in procs:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def fuzz_one(target, build_dir, seconds, runs=0):
    """Fuzzes one target until `seconds` have passed or it has run `runs`
    inputs (0: no limit); libFuzzer stops at a finding, so it is started
    again for the time and runs left."""
    corpus = build_dir / 'fuzz-corpus' / target.name
    findings = build_dir / 'fuzz-findings' / target.name
    logs = build_dir / 'fuzz-logs'
    for d in (corpus, findings, logs):
        d.mkdir(parents=True, exist_ok=True)
    outcome = Outcome(target)
    start = time.monotonic()
    while not _cancel.is_set() and outcome.runs < MAX_RUNS:
        left = int(seconds - (time.monotonic() - start))
        runs_left = runs - outcome.executions if runs else 0
        if left < 1 or (runs and runs_left < 1):
            break
        found = findings_in(findings)
        logfile = logs / f'{target.name}.{outcome.runs}.log'
        run_fuzzer(fuzzer_argv(target, corpus, findings, left, runs_left), logfile)
        outcome.runs += 1
        read_stats(logfile, outcome)
        new = sorted(findings_in(findings) - found)
        outcome.findings += [(path, logfile) for path in new]
        if not new:
            break  # ended without a finding: its time is up (or it failed)
    outcome.seconds = time.monotonic() - start
    return outcome


def print_table(outcomes):
    header = f'{"target":22} {"execs":>12} {"execs/s":>9} {"cov":>7} {"findings":>8}'
    print(header)
    print('-' * len(header))
    for o in outcomes:
        rate = o.executions / o.seconds if o.seconds else 0
        print(f'{o.target.name:22} {o.executions:12,d} {rate:9,.0f} {o.coverage:>7} '
              f'{len(o.findings):8d}')
    for o in outcomes:
        for path, log in o.findings:
            print(f'finding: {os.path.relpath(path)} (log: {os.path.relpath(log)})')


def run_all(targets, build_dir, seconds, jobs, runs=0):
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=jobs)
    try:
        futures = [pool.submit(fuzz_one, t, build_dir, seconds, runs) for t in targets]
        return [f.result() for f in futures]
    except BaseException:
        kill_all()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def parse_args():
    parser = argparse.ArgumentParser(
        prog='scripts/fuzz',
        description='Build the libFuzzer targets and fuzz them in parallel, one per core.')
    parser.add_argument('targets', nargs='*', metavar='TARGET',
                        help='fuzz_NAME or NAME (default: every target)')
    parser.add_argument('--minutes', type=float, default=10,
                        help='minutes per target (default 10; with --runs, at most)')
    parser.add_argument('--runs', type=int, default=0,
                        help='stop a target once it has run this many inputs (e.g. 10000000)')
    parser.add_argument('--jobs', type=int, default=os.cpu_count() or 1,
                        help='targets at once (default: the number of cores)')
    parser.add_argument('--build-dir', default=str(ROOT / 'build'), help='meson build directory')
    return parser.parse_args()


def interrupt_on_sigterm():
    def handler(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, handler)


def main():
    args = parse_args()
    build_dir = pathlib.Path(args.build_dir).resolve()
    if not (build._step('scripts/setup', [str(ROOT / 'scripts' / 'setup')])
            and build.configure(build_dir)):
        return 1
    if not libfuzzer_available():
        print('scripts/fuzz: libFuzzer is unavailable (clang missing or cannot link '
              '-fsanitize=fuzzer, see tests/fuzz/probe_libfuzzer.py): nothing fuzzed',
              file=sys.stderr)
        return 2
    targets = choose(fuzz_targets(build_dir), args.targets)
    if not targets or not compile_targets(build_dir, targets):
        print('scripts/fuzz: no fuzz targets built', file=sys.stderr)
        return 2 if not targets else 1
    seconds = max(1, int(args.minutes * 60))
    jobs = max(1, min(args.jobs, len(targets)))
    limit = f'{seconds}s each' + (f' or {args.runs:,} runs' if args.runs else '')
    print(f'==> fuzzing {len(targets)} targets, {jobs} at once, {limit}; '
          f'logs in {os.path.relpath(build_dir / "fuzz-logs")}', flush=True)
    interrupt_on_sigterm()
    try:
        outcomes = run_all(targets, build_dir, seconds, jobs, args.runs)
    except KeyboardInterrupt:
        print('scripts/fuzz: interrupted', file=sys.stderr)
        return 130
    print_table(outcomes)
    return 1 if any(o.findings for o in outcomes) else 0


if __name__ == '__main__':
    sys.exit(main())
