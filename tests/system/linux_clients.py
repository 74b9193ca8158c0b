# linux_clients.py: host-side clients (Case.client) for the Linux guest's
# system tests (docs/linux-guest.md).  Through the management API they read
# what hv_kvp_daemon reported, the heartbeat, a KVP parameter round trip, a
# refusal for a service Linux does not offer, and drive a restart and a
# shutdown through hv_utils.  Built on task_clients' helpers (its token and
# [management] section); each returns None or an error string.
import http.client
import pathlib
import re
import time

from task_clients import (ApiError, _run, api, check_restart, check_shutdown_success, events,
                          retrying, run_task, wait_done)

DEPS = pathlib.Path(__file__).resolve().parents[2] / '.deps' / 'linux'


def expected_facts(deps=DEPS):
    """What hv_kvp_daemon must report, from the packages the initramfs was
    built from (scripts/setup): OSName is os-release's NAME and
    OSMajorVersion its VERSION_ID (the daemon parses /etc/os-release),
    OSBuildNumber uname's release.  Empty when .deps/linux is missing."""
    facts = {}
    try:
        for line in (deps / 'root' / 'usr' / 'lib' / 'os-release').read_text().splitlines():
            key, _, value = line.partition('=')
            value = value.strip().strip('"')
            if key == 'NAME':
                facts['OSName'] = value
            elif key == 'VERSION_ID' and value.isdigit():
                facts['OSMajorVersion'] = int(value)
        for line in (deps / 'versions').read_text().splitlines():
            key, _, value = line.partition('=')
            if key == 'kernel_release':
                facts['OSBuildNumber'] = value.strip()
    except OSError:
        pass
    return facts


def wait_guestos(port, log, vm, within, ready, what):
    """Polls GET guestos every 2 s until ready(doc) holds (409 while the VM
    is not Running is expected meanwhile); returns the document."""
    deadline = time.monotonic() + within
    last = 'no attempt'
    while time.monotonic() < deadline:
        try:
            status, _, doc = api(port, 'GET', f'/api/v1/vms/{vm}/guestos')
            if status == 200 and ready(doc):
                log(f'GET guestos ({what}): {doc}')
                return doc
            last = f'{status} {doc}'
        except (OSError, http.client.HTTPException, ValueError) as e:
            last = f'{type(e).__name__}: {e}'
        time.sleep(2)
    raise ApiError(f'{vm}: not {what} within {within}s, last GET guestos: {last}')


def bus_up(doc):
    """The guest's Shutdown channel is ready, its heartbeat answered and
    hv_kvp_daemon's OS facts read."""
    return doc.get('CanShutdown') is True and doc.get('IsHeartbeating') is True and \
        doc.get('OSName') is not None


def check_facts(doc, computer_name):
    want = dict(expected_facts(), ComputerName=computer_name)
    got = {k: doc.get(k) for k in want}
    if got != want:
        raise ApiError(f'guest facts {got}, expected {want} (GET guestos: {doc})')


def linux_bus(vm, within=240):
    """qemu-linux-bus: facts, heartbeat, a parameter round trip, Logoff
    refused (Linux has no Sessions service), then an unforced shutdown
    (Success only after hv reported Off), preceded by an unforced restart
    (Success only after the guest reset itself) that must bring the bus
    and the guest's facts back."""
    def check(port, log):
        g = f'/api/v1/vms/{vm}/guestos'
        doc = wait_guestos(port, log, vm, within, lambda d: bus_up(d) and
                           d.get('HeartbeatPercentage') == 100, 'reporting, heartbeat 100%')
        check_facts(doc, vm)
        value = 'set by the host, read back from the daemon'
        retrying(port, log, 'PUT', f'{g}/parameters/HvLinuxTest', {'value': value}, want=(200,))
        status, _, doc = api(port, 'GET', f'{g}/parameters/HvLinuxTest')
        log(f'GET parameter: {status} {doc}')
        if status != 200 or doc != {'name': 'HvLinuxTest', 'value': value}:
            raise ApiError(f'parameter round trip: {status} {doc}')
        status, _, doc = api(port, 'POST', f'{g}/logoff', {})
        log(f'POST logoff: {status} {doc}')
        error = (doc or {}).get('error', {})
        if status != 409 or error.get('name') != 'VM_E_ADDITIONS_FEATURE_NOT_AVAIL' or \
                error.get('hresult') != '0xA0040505':
            raise ApiError(f'logoff: {status} {doc}, expected 409 VM_E_ADDITIONS_FEATURE_NOT_AVAIL')
        check_restart(port, log, vm, timeout_s=120)
        doc = wait_guestos(port, log, vm, within, lambda d: bus_up(d) and
                           d.get('HeartbeatPercentage') == 100, 'reporting after the restart')
        check_facts(doc, vm)
        check_shutdown_success(port, log, vm, timeout_s=120,
                               wait=lambda p, lg, loc: wait_done(p, lg, loc, within=150))
        status, _, doc = api(port, 'GET', f'/api/v1/vms/{vm}')
        log(f'GET /api/v1/vms/{vm}: {status} {doc}')
        if status != 200 or doc.get('state') != 'Off':
            raise ApiError(f'{vm} after the shutdown: {status} {doc}')
    return _run(check)


def linux_shutdown(vm, within):
    """bochs-vmx-linux-shutdown: once the guest's bus is up (within host
    seconds), an unforced shutdown that must end Success after hv reported
    Off.  Waits are short steps: the root's clock runs slow under Bochs."""
    def check(port, log):
        doc = wait_guestos(port, log, vm, within, bus_up, 'reporting')
        check_facts(doc, vm)
        check_shutdown_success(port, log, vm, within=within, timeout_s=900,
                               wait=lambda p, lg, loc: wait_done(p, lg, loc, within=within))
    return _run(check)


def wait_event(port, log, within, after, **match):
    """Polls the event log until an event with these fields and a seq above
    `after` appears; returns its seq."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        for e in events(port):
            if e['seq'] > after and all(e.get(k) == v for k, v in match.items()):
                log(f'event {e}')
                return e['seq']
        time.sleep(1)
    raise ApiError(f'no event {match} after seq {after} within {within}s')


def last_seq(port):
    evs = events(port)
    return evs[-1]['seq'] if evs else 0


def expect_state(port, log, vm, state):
    status, _, doc = api(port, 'GET', f'/api/v1/vms/{vm}')
    log(f'GET /api/v1/vms/{vm}: {status} {doc}')
    if status != 200 or doc.get('state') != state:
        raise ApiError(f'{vm} should be {state}: {status} {doc}')


def test_action(port, log, vm, action):
    """Sets the KVP parameter guest/linux/init's test_actions loop acts on."""
    retrying(port, log, 'PUT', f'/api/v1/vms/{vm}/guestos/parameters/HvTestAction',
             {'value': action}, want=(200,))


def stop_mid_boot(port, log, vm):
    """Turned off while it boots (the client starts at the kernel's banner,
    then once more right after a start), then started: Linux boots anew."""
    v = f'/api/v1/vms/{vm}'
    run_task(port, log, 'POST', f'{v}/turnoff', Result='Success')
    expect_state(port, log, vm, 'Off')
    run_task(port, log, 'POST', f'{v}/start', Result='Success')
    started = time.monotonic()
    run_task(port, log, 'POST', f'{v}/turnoff', Result='Success')
    log(f'turned off {time.monotonic() - started:.2f} s after the start')
    expect_state(port, log, vm, 'Off')
    run_task(port, log, 'POST', f'{v}/start', Result='Success')


def linux_faults(vm, within=420):
    """qemu-linux-faults: a Linux guest stopped mid-boot, then panicking
    with panic=-1 (it resets itself through the reset stub), then
    panicking with panic=0 (it spins after unloading its bus: no heartbeat,
    the root stays responsive, a guest restart is refused for want of the
    Shutdown channel, a reset through hv brings it back).  After each, the
    guest boots again and its bus and facts come back; the test's
    neighbours keep their canaries (checked by the case's markers)."""
    def check(port, log):
        g = f'/api/v1/vms/{vm}/guestos'
        stop_mid_boot(port, log, vm)
        check_facts(wait_guestos(port, log, vm, within, bus_up, 'reporting after the stops'), vm)
        seq = last_seq(port)
        test_action(port, log, vm, 'crash-reboot')
        wait_event(port, log, 60, seq, vm=vm, type='stateChanged', state='Starting',
                   cause='guest reset')
        check_facts(wait_guestos(port, log, vm, within, bus_up, 'reporting after a panic'), vm)
        test_action(port, log, vm, 'crash-hang')
        # Linux unloads its bus when it panics: no heartbeat, no Shutdown channel
        wait_guestos(port, log, vm, 60, lambda d: d.get('IsHeartbeating') is not True and
                     d.get('CanShutdown') is False, 'silent after a panic')
        expect_state(port, log, vm, 'Running')
        # a guest restart needs the Shutdown channel, gone with the bus
        status, _, doc = api(port, 'POST', f'{g}/restart', {'forced': True})
        log(f'POST restart (forced): {status} {doc}')
        if status != 409 or doc['error']['name'] != 'VM_E_ADDITIONS_FEATURE_NOT_AVAIL':
            raise ApiError(f'restart of a guest without its bus: {status} {doc}')
        seq = last_seq(port)
        run_task(port, log, 'POST', f'/api/v1/vms/{vm}/reset', Result='Success')
        wait_event(port, log, 10, seq, vm=vm, type='stateChanged', state='Starting',
                   cause='root reset')
        check_facts(wait_guestos(port, log, vm, within, bus_up, 'reporting after a hang'), vm)
    return _run(check)


UPTIME = re.compile(r'hv: \[(\S+)\] linux-guest: uptime (\d+\.\d+) date (\d{4})-')
# The root's clock starts at 2026-01-01 (HOST_EPOCH_UNIX, mgmt/bus/bus_ic.c);
# the partition's CMOS RTC says 2000 (hv/plat/cmos_rtc.c).  A guest whose
# date is in the root's year had its clock stepped by TimeSync.
HOST_YEAR = 2026


def guest_clock_rate(vm, window=30, low=0.85, high=1.15):
    """qemu-linux-boot: the guest's clock runs at the host's rate.  /init
    prints /proc/uptime every 2 s (uptime_every=2); the client stamps each
    new line with the host's clock as it appears in the serial log and
    compares the two over `window` host seconds.  The date on the last
    line must be the root's: hv_utils stepped the clock on TimeSync's SYNC.  A line reaches the log
    within a console write, so the bounds leave room for that lag only
    (a TSC calibrated 2-5 times too high once made the guest's time run at
    20-50 %)."""
    def check(port, log, serial_log):
        samples, offset = [], 0
        path = pathlib.Path(serial_log)
        with open(path, 'rb') as f:
            f.seek(0, 2)            # lines already written carry no host time
            offset = f.tell()
        deadline = time.monotonic() + window + 60
        while time.monotonic() < deadline:
            with open(path, 'rb') as f:
                f.seek(offset)
                data = f.read()
            now = time.monotonic()
            complete = data[:data.rfind(b'\n') + 1]
            offset += len(complete)
            for line in complete.decode('utf-8', 'replace').splitlines():
                m = UPTIME.search(line)
                if m and m.group(1) == vm:
                    samples.append((now, float(m.group(2)), int(m.group(3))))
            if len(samples) >= 3 and samples[-1][0] - samples[0][0] >= window:
                break
            time.sleep(0.1)
        if len(samples) < 3:
            return f'{vm}: {len(samples)} uptime lines in {window + 60} s'
        (h0, g0, _), (h1, g1, year) = samples[0], samples[-1]
        rate = (g1 - g0) / (h1 - h0)
        log(f'guest uptime {g0:.2f} -> {g1:.2f} s over {h1 - h0:.2f} host s: rate {rate:.3f}; '
            f'guest year {year}')
        if not low <= rate <= high:
            return f'{vm}: the guest\'s clock runs at {rate:.3f} of the host\'s'
        if year != HOST_YEAR:
            return f'{vm}: the guest\'s date is in {year}, not the root\'s {HOST_YEAR}: no time sync'
        return None
    check.wants_serial = True
    return check
