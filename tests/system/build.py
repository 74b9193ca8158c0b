# build.py: the steps before anything runs, shared by scripts/run and
# scripts/test: install packages (scripts/setup), configure the meson
# build directory (or reconfigure it when it exists) and compile.
import pathlib
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _step(what, argv):
    print(f'==> {what}', flush=True)
    ok = subprocess.run(argv, cwd=ROOT).returncode == 0
    if not ok:
        print(f'error: {what} failed', flush=True)
    return ok


def configure(build_dir):
    build_dir = pathlib.Path(build_dir)
    if (build_dir / 'meson-private' / 'coredata.dat').is_file():
        return _step('meson setup --reconfigure',
                     ['meson', 'setup', '--reconfigure', str(build_dir)])
    return _step('meson setup', ['meson', 'setup', str(build_dir)])


def prepare(build_dir):
    """Setup, configure and compile; False when any step fails."""
    return (_step('scripts/setup', [str(ROOT / 'scripts' / 'setup')])
            and configure(build_dir)
            and _step('meson compile', ['meson', 'compile', '-C', str(build_dir)]))
