# task_clients.py: host-side clients (Case.client) for the task engine's
# system tests (docs/tasks.md): they drive the management API through the
# forwarded port and check each task's outcome and the order of hv's
# reports in the events log.  A client returns None or an error string and
# bounds every wait itself.
import hashlib
import http.client
import json
import time

TOKEN = 'task-system-test-token'
TOKEN_HASH = hashlib.sha256(TOKEN.encode()).hexdigest()

# hv.cfg sections: the API on DHCP, plain HTTP on port 80 with tokens
# allowed over it (tests only), one token with every right.
CONFIG = (f'\n[management]\naddress = dhcp\nhttp_port = 80\ninsecure_http = yes\n'
          f'\n[token tasks]\nhash = {TOKEN_HASH}\nrights = *:read,control,execute\n')


class ApiError(Exception):
    pass


def api(port, method, path, body=None, timeout=30):
    """One request on its own connection: (status, headers, parsed JSON or None)."""
    headers = {'Authorization': f'Bearer {TOKEN}'}
    data = None
    if body is not None:
        data = json.dumps(body)
        headers['Content-Type'] = 'application/json'
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=timeout)
    try:
        conn.request(method, path, body=data, headers=headers)
        r = conn.getresponse()
        raw = r.read()
        return r.status, dict(r.getheaders()), (json.loads(raw) if raw else None)
    finally:
        conn.close()


def retrying(port, log, method, path, body=None, want=(202,), within=90):
    """Repeats a request until its status is in want (the API or the guest's
    additions may not be up yet; QEMU's forwarder drops early connections)."""
    deadline = time.monotonic() + within
    last = 'no attempt'
    while time.monotonic() < deadline:
        try:
            status, headers, doc = api(port, method, path, body)
            if status in want:
                log(f'{method} {path}: {status}')
                return status, headers, doc
            last = f'{status} {doc}'
        except (OSError, http.client.HTTPException, ValueError) as e:
            last = f'{type(e).__name__}: {e}'
        time.sleep(1)
    raise ApiError(f'{method} {path}: no {want} within {within}s, last: {last}')


def wait_task(port, log, location, wait_ms=90000):
    status, _, task = api(port, 'GET', f'{location}?wait={wait_ms}', timeout=wait_ms / 1000 + 30)
    log(f'GET {location}?wait={wait_ms}: {status} {task}')
    if status != 200 or not task.get('IsComplete'):
        raise ApiError(f'{location} not complete after the wait: {status} {task}')
    return task


def events(port):
    status, _, doc = api(port, 'GET', '/api/v1/events?since=0&wait=0')
    if status != 200:
        raise ApiError(f'events: {status} {doc}')
    return doc['events']


def expect_fields(task, **fields):
    for key, value in fields.items():
        if task.get(key) != value:
            raise ApiError(f'task {task.get("ID")}: {key} is {task.get(key)!r}, expected {value!r}')


def seq_of(evs, **match):
    """The seq of the first event with these fields, or None."""
    for e in evs:
        if all(e.get(k) == v for k, v in match.items()):
            return e['seq']
    return None


def created(status, headers, task):
    location = headers.get('Location')
    if status != 202 or location != f'/api/v1/tasks/{task["ID"]}':
        raise ApiError(f'not a created task: {status} {headers} {task}')
    return location


def _run(check):
    """Wraps a client body: API errors become the test's verdict."""
    def client(port, log):
        try:
            check(port, log)
            return None
        except ApiError as e:
            return str(e)
    return client


def wait_done(port, log, location, within, wait_ms=10000):
    """Waits for a task in steps of wait_ms (the root's clock: under Bochs it
    runs several times slower than the host's, so one long wait could
    outlast the socket's timeout) until it completes or `within` host
    seconds have passed; returns the completed task."""
    deadline = time.monotonic() + within
    while True:
        status, _, task = api(port, 'GET', f'{location}?wait={wait_ms}', timeout=120)
        log(f'GET {location}?wait={wait_ms}: {status} {task}')
        if status == 200 and task.get('IsComplete'):
            return task
        if status != 200 or time.monotonic() > deadline:
            raise ApiError(f'{location} not complete within {within}s: {status} {task}')


def check_shutdown_success(port, log, vm, within=90, timeout_s=60, wait=None):
    """The body of shutdown_success: POST retried for `within` seconds,
    the task's timeoutSeconds, and how to wait for it (default: one
    wait_task)."""
    path = f'/api/v1/vms/{vm}/guestos/shutdown'
    body = {'reason': 'system test', 'timeoutSeconds': timeout_s}
    status, headers, task = retrying(port, log, 'POST', path, body, within=within)
    location = created(status, headers, task)
    status, headers, second = api(port, 'POST', path, body)
    log(f'second shutdown: {status} {second}')
    if status == 202:
        expect_fields(second, IsComplete=True, Result='UnexpectedError',
                      ErrorName='ERROR_SHUTDOWN_IN_PROGRESS', Error='0x8007045B')
    elif status != 409:   # the first may already have ended: then the guest is off
        raise ApiError(f'second shutdown: {status} {second}')
    task = (wait or wait_task)(port, log, location)
    expect_fields(task, Result='Success', PercentCompleted=100, Error='0x00000000')
    evs = events(port)
    off = seq_of(evs, vm=vm, type='stateChanged', state='Off')
    done = seq_of(evs, vm=vm, type='taskCompleted', task=task['ID'])
    log(f'events: Off at {off}, taskCompleted at {done}')
    if off is None or done is None or off > done:
        raise ApiError(f'Success before hv reported Off: {evs}')
    return task


def shutdown_success(vm):
    """An unforced shutdown: accepted, then Success only after hv reported
    the partition Off; a second shutdown meanwhile ends at once with
    ERROR_SHUTDOWN_IN_PROGRESS."""
    return _run(lambda port, log: check_shutdown_success(port, log, vm))


def shutdown_locked(vm):
    """A locked guest vetoes an unforced shutdown: the task ends with
    ERROR_MACHINE_LOCKED and the VM keeps running."""
    def check(port, log):
        path = f'/api/v1/vms/{vm}/guestos/shutdown'
        status, headers, task = retrying(port, log, 'POST', path, {})
        location = created(status, headers, task)
        task = wait_task(port, log, location)
        expect_fields(task, Result='UnexpectedError', ErrorName='ERROR_MACHINE_LOCKED',
                      Error='0x800704F7')
        status, _, doc = api(port, 'GET', f'/api/v1/vms/{vm}')
        log(f'GET /api/v1/vms/{vm}: {status} {doc}')
        if status != 200 or doc.get('state') != 'Running':
            raise ApiError(f'{vm} is not running after the veto: {status} {doc}')
    return _run(check)


def restart_forced_hung(vm):
    """A forced restart of a guest that stopped answering: the root resets
    the partition through hv and the task ends Success once it runs again."""
    def check(port, log):
        path = f'/api/v1/vms/{vm}/guestos/restart'
        body = {'forced': True, 'timeoutSeconds': 120}
        status, headers, task = retrying(port, log, 'POST', path, body)
        location = created(status, headers, task)
        task = wait_task(port, log, location)
        expect_fields(task, Result='Success', PercentCompleted=100)
        evs = events(port)
        reset = seq_of(evs, vm=vm, type='stateChanged', state='Starting', cause='root reset')
        done = seq_of(evs, vm=vm, type='taskCompleted', task=task['ID'])
        running = None
        for e in evs:
            if reset is not None and e['seq'] > reset and e.get('vm') == vm and \
                    e.get('type') == 'stateChanged' and e.get('state') == 'Running':
                running = e['seq']
                break
        log(f'events: root reset at {reset}, Running at {running}, taskCompleted at {done}')
        if reset is None or running is None or done is None or not reset < running < done:
            raise ApiError(f'no root reset and Running before Success: {evs}')
    return _run(check)


def install_additions(vm):
    """InstallAdditions on a guest without them: Success once the additions
    are up and their version is known; the guest's facts then show it."""
    def check(port, log):
        path = f'/api/v1/vms/{vm}/guestos/install-additions'
        status, headers, task = retrying(port, log, 'POST', path)
        location = created(status, headers, task)
        if task['IsComplete']:
            raise ApiError(f'{vm} had its additions already: {task}')
        task = wait_task(port, log, location)
        expect_fields(task, Result='Success', PercentCompleted=100)
        status, _, facts = api(port, 'GET', f'/api/v1/vms/{vm}/guestos')
        log(f'GET /api/v1/vms/{vm}/guestos: {status} {facts}')
        if status != 200 or not facts.get('AdditionsVersion'):
            raise ApiError(f'no AdditionsVersion after the install: {status} {facts}')
        evs = events(port)
        ready = seq_of(evs, vm=vm, type='additionsReady')
        done = seq_of(evs, vm=vm, type='taskCompleted', task=task['ID'])
        if ready is None or done is None or ready > done:
            raise ApiError(f'Success before the additions were ready: {evs}')
    return _run(check)


def run_task(port, log, method, path, body=None, **fields):
    """Creates a task (retrying until the API and the guest take it), waits for
    it and checks its fields; returns the completed task."""
    status, headers, task = retrying(port, log, method, path, body)
    location = created(status, headers, task)
    task = task if task['IsComplete'] else wait_task(port, log, location)
    expect_fields(task, **fields)
    return task


def check_restart(port, log, vm, timeout_s):
    """An unforced restart: Success only after hv saw the guest reset
    itself (cause 'guest reset', not a reset by the root)."""
    task = run_task(port, log, 'POST', f'/api/v1/vms/{vm}/guestos/restart',
                    {'timeoutSeconds': timeout_s}, Result='Success', PercentCompleted=100)
    evs = events(port)
    reset = seq_of(evs, vm=vm, type='stateChanged', state='Starting', cause='guest reset')
    done = seq_of(evs, vm=vm, type='taskCompleted', task=task['ID'])
    log(f'events: guest reset at {reset}, taskCompleted at {done}')
    if reset is None or done is None or reset > done:
        raise ApiError(f'restart Success before the guest reset: {evs}')


def guest_and_power(vm):
    """Execute (exit status is the command's, not the task's), logoff with
    and without sessions, an unforced restart through the guest, then
    turnoff, start and reset through hv; start of a running VM is refused."""
    def check(port, log):
        g = f'/api/v1/vms/{vm}/guestos'
        task = run_task(port, log, 'POST', f'{g}/execute', {'command': 'echo task says hi'},
                        Result='Success')
        if task.get('output', {}).get('output') != 'task says hi\n':
            raise ApiError(f'execute output: {task}')
        task = run_task(port, log, 'POST', f'{g}/execute', {'command': 'false'}, Result='Success')
        if task.get('output', {}).get('exitStatus') != 1:
            raise ApiError(f'exit status of false: {task}')
        run_task(port, log, 'POST', f'{g}/execute', {'command': 'no-such-command'},
                 Result='IllegalValueError', ErrorName='E_INVALIDARG')
        run_task(port, log, 'POST', f'{g}/logoff', {}, Result='Success')
        run_task(port, log, 'POST', f'{g}/logoff', {'forced': True}, Result='UnexpectedError',
                 ErrorName='ERROR_NO_SUCH_LOGON_SESSION')
        check_restart(port, log, vm, timeout_s=60)
        v = f'/api/v1/vms/{vm}'
        run_task(port, log, 'POST', f'{v}/turnoff', Result='Success')
        status, _, doc = api(port, 'GET', v)
        if doc.get('state') != 'Off':
            raise ApiError(f'{vm} after turnoff: {status} {doc}')
        run_task(port, log, 'POST', f'{v}/start', Result='Success')
        run_task(port, log, 'POST', f'{v}/reset', Result='Success')
        status, _, doc = api(port, 'POST', f'{v}/start')
        log(f'start while running: {status} {doc}')
        if status != 409 or doc['error']['name'] != 'VM_E_VM_RUNNING':
            raise ApiError(f'start of a running VM: {status} {doc}')
        status, _, doc = api(port, 'GET', '/api/v1/tasks')
        log(f'GET /api/v1/tasks: {status} Count {doc and doc.get("Count")}')
        if status != 200 or doc['Count'] != 9 or len(doc['tasks']) != 9:
            raise ApiError(f'task list: {status} {doc}')
    return _run(check)


def shutdown_timeout(vm):
    """A guest that accepts a shutdown and then does nothing: TimeOutError
    VM_E_TIMED_OUT when timeoutSeconds pass without hv reporting Off (hv is
    not asked); the next shutdown is answered SHUTDOWN_IN_PROGRESS by the
    guest itself."""
    def check(port, log):
        path = f'/api/v1/vms/{vm}/guestos/shutdown'
        started = time.monotonic()
        task = run_task(port, log, 'POST', path, {'timeoutSeconds': 5}, Result='TimeOutError',
                        ErrorName='VM_E_TIMED_OUT', Error='0xA0040202')
        if task['PercentCompleted'] != 50:
            raise ApiError(f'accepted is 50%: {task}')
        if task['completedMs'] - task['createdMs'] < 5000:
            raise ApiError(f'timed out early: {task}')
        log(f'timed out after {time.monotonic() - started:.1f}s')
        run_task(port, log, 'POST', path, {}, Result='UnexpectedError',
                 ErrorName='ERROR_SHUTDOWN_IN_PROGRESS')
        status, _, doc = api(port, 'GET', f'/api/v1/vms/{vm}')
        if status != 200 or doc.get('state') != 'Running':
            raise ApiError(f'{vm} after the timeout: {status} {doc}')
    return _run(check)


def expect_error(port, log, method, path, status, name, body=None):
    got, _, doc = api(port, method, path, body)
    log(f'{method} {path}: {got} {doc}')
    if got != status or not doc or doc.get('error', {}).get('name') != name:
        raise ApiError(f'{method} {path}: {got} {doc}, expected {status} {name}')


def guestos_data(vm):
    """The remaining methods end to end: a parameter set and read back
    through KVP, a missing one (404 VM_E_PREF_NOT_FOUND) and an illegal name
    (400 E_INVALIDARG), the user list from Sessions, InstallAdditions on a
    guest that has them (Success at once), WaitForCompletion's bounds, cancel
    of a finished task (409 E_FAIL), a wrong method (405), an unknown VM
    (404), and a guest method on a VM that is off (409 VM_E_VM_NOT_RUNNING).
    The guest runs with testos's version_ex knob: its KVP also carries a
    Windows guest's OSVERSIONINFOEX items, which become the IVMGuestOS
    properties of the same names."""
    want_ex = {'CSDVersion': 'Service Pack 1', 'ServicePackMajor': 1, 'ServicePackMinor': 0,
               'SuiteMask': 274, 'ProductType': 3, 'OSPlatformId': 2}

    def check(port, log):
        g = f'/api/v1/vms/{vm}/guestos'
        for _ in range(30):
            status, _, doc = api(port, 'GET', g)
            if status == 200 and doc.get('OSName') is not None:
                break
            time.sleep(1)
        log(f'GET guestos: {status} {doc}')
        got_ex = {k: (doc or {}).get(k) for k in want_ex}
        if got_ex != want_ex:
            raise ApiError(f'OSVERSIONINFOEX properties {got_ex}, expected {want_ex}')
        retrying(port, log, 'PUT', f'{g}/parameters/Colour', {'value': 'teal'}, want=(200,))
        status, _, doc = api(port, 'GET', f'{g}/parameters/Colour')
        log(f'GET parameter: {status} {doc}')
        if status != 200 or doc != {'name': 'Colour', 'value': 'teal'}:
            raise ApiError(f'parameter round trip: {status} {doc}')
        expect_error(port, log, 'GET', f'{g}/parameters/NoSuchName', 404, 'VM_E_PREF_NOT_FOUND')
        expect_error(port, log, 'GET', f'{g}/parameters/bad%5Cname', 400, 'E_INVALIDARG')
        status, _, doc = api(port, 'GET', f'{g}/users')
        log(f'GET users: {status} {doc}')
        names = sorted(u['name'] for u in (doc or {}).get('users', []))
        if status != 200 or names != ['alice', 'bob']:
            raise ApiError(f'users: {status} {doc}')
        task = run_task(port, log, 'POST', f'{g}/install-additions', Result='Success')
        location = f'/api/v1/tasks/{task["ID"]}'
        expect_error(port, log, 'GET', f'{location}?wait=4000001', 400, 'E_INVALIDARG')
        expect_error(port, log, 'GET', f'{location}?wait=-2', 400, 'E_INVALIDARG')
        expect_error(port, log, 'POST', f'{location}/cancel', 409, 'E_FAIL')
        expect_error(port, log, 'DELETE', '/api/v1/vms', 405, 'ERROR_NOT_SUPPORTED')
        expect_error(port, log, 'POST', '/api/v1/vms/nosuch/guestos/shutdown', 404,
                     'VM_E_VM_UNKNOWN', {})
        run_task(port, log, 'POST', f'/api/v1/vms/{vm}/turnoff', Result='Success')
        expect_error(port, log, 'POST', f'{g}/shutdown', 409, 'VM_E_VM_NOT_RUNNING', {})
        expect_error(port, log, 'GET', g, 409, 'VM_E_VM_NOT_RUNNING')
    return _run(check)
