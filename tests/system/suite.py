#!/usr/bin/env python3
# suite.py: the body of scripts/test.  Builds, runs the meson suites
# `unit` and `fuzz` (when they exist) and the system tests, prints one line
# per test and ends with the line "N passed, N failed".
import argparse
import json
import pathlib
import subprocess
import sys
import time

import build
import cases
import emulator
import harness
import stress
from harness import Result


def meson_tests(build_dir, suite, filters):
    """Names of the meson tests in `suite` that match the filters."""
    out = subprocess.run(['meson', 'introspect', str(build_dir), '--tests'],
                         capture_output=True, text=True, check=True).stdout
    names = [t['name'] for t in json.loads(out)
             if any(s == suite or s.endswith(':' + suite) for s in t['suite'])]
    return [n for n in names if not filters or any(f in n for f in filters)]


def meson_result(suite, entry, logfile):
    result = entry['result']
    name = f"{suite}/{entry['name'].split(' / ')[-1]}"  # drop "project:suite / "
    if result == 'SKIP':
        print(f'SKIP {name}')
        return None
    ok = result in ('OK', 'EXPECTEDFAIL')
    return Result(name, ok, entry.get('duration', 0), f'meson result {result}', logfile)


def run_meson_suite(build_dir, suite, names, jobs, filtered):
    """Runs one meson suite; results come from its testlog JSON file."""
    logbase = f'testlog-{suite}'
    logdir = build_dir / 'meson-logs'
    (logdir / f'{logbase}.json').unlink(missing_ok=True)
    argv = ['meson', 'test', '-C', str(build_dir), '--suite', suite, '--print-errorlogs',
            '--num-processes', str(max(1, jobs)), '--logbase', logbase]
    status = subprocess.run(argv + (names if filtered else [])).returncode
    logfile = harness.shown(logdir / f'{logbase}.txt')
    jsonlog = logdir / f'{logbase}.json'
    lines = jsonlog.read_text().splitlines() if jsonlog.exists() else []
    entries = [json.loads(ln) for ln in lines]
    results = [r for r in (meson_result(suite, e, logfile) for e in entries) if r]
    if status != 0 and all(r.ok for r in results):
        results.append(Result(f'{suite} (meson test)', False, 0, f'exit status {status}', logfile))
    for r in results:
        print(r.line(), flush=True)
    return results


def run(args, results):
    build_dir = pathlib.Path(args.build_dir).resolve()
    start = time.monotonic()
    if not build.prepare(build_dir):
        results.append(Result('build', False, time.monotonic() - start,
                              'setup, configure or compile failed', 'output above'))
        print(results[-1].line())
        return
    for suite in ('unit', 'fuzz'):
        names = meson_tests(build_dir, suite, args.filters)
        print(f'==> {suite} tests: {len(names) or "none"}', flush=True)
        if names:
            results += run_meson_suite(build_dir, suite, names, args.jobs, bool(args.filters))
    selected = harness.select(cases.CASES, args.filters, args.quick)
    print(f'==> system tests: {len(selected) or "none"}', flush=True)
    if selected:
        harness.run_all(selected, args.jobs, harness.Runner(build_dir), results)


def print_warnings(results):
    """Repeats the WARN lines of slow system tests before the summary."""
    warnings = [r.warning() for r in results if r.warning()]
    if warnings:
        print(f'slow (above {100 * harness.WARN_SHARE:.0f}% of their timeout):')
        for line in warnings:
            print('  ' + line)


def main():
    parser = argparse.ArgumentParser(
        prog='scripts/test', description='Build, then run the unit, fuzz and system tests.')
    harness.add_options(parser)
    parser.add_argument('--stress', type=int, default=0, metavar='N',
                        help='run N CPU-burning processes beside the tests (default 0)')
    args = parser.parse_args()
    if args.stress < 0:
        parser.error('--stress N needs N >= 0')
    emulator.interrupt_on_sigterm()
    results = []
    try:
        with stress.hogs(args.stress):
            run(args, results)
    except KeyboardInterrupt:
        results.append(Result('interrupted', False, 0, 'Ctrl-C or SIGTERM', '-'))
    except (OSError, subprocess.CalledProcessError, ValueError) as e:
        results.append(Result('scripts/test', False, 0, f'{type(e).__name__}: {e}', '-'))
    failed = [r for r in results if not r.ok]
    print_warnings(results)
    if failed:
        print('failures:')
        for r in failed:
            print('  ' + r.line())
    elif not results:
        print('no test matches', ' '.join(args.filters))
    print(f'{len(results) - len(failed)} passed, {len(failed)} failed')
    return 1 if failed or not results else 0


if __name__ == '__main__':
    sys.exit(main())
