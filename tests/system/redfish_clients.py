# redfish_clients.py: the host-side client (Case.client) of the Redfish
# system test (docs/redfish.md): against one booted root, clients nobody
# here wrote, from Debian packages, one after another.  Every resource the
# service root links to answers 200 with JSON ($metadata parses as XML); a
# token without rights gets 403 in Redfish's error shape; redfishtool logs
# a session in and out, lists the systems, reads one, performs
# GracefulShutdown and On while a Server-Sent Events stream must carry the
# power changes and the task completions; then a script on python3-sushy
# (redfish_sushy.py, with Debian's /usr/bin/python3) resets the system with
# every ResetType and follows each task to completion.
import base64
import hashlib
import http.client
import json
import pathlib
import re
import subprocess
import threading
import time
import xml.etree.ElementTree

OPS, LOOK = 'redfish-ops-token', 'redfish-look-token'
SYSTEM = 'g1'
SUSHY = pathlib.Path(__file__).with_name('redfish_sushy.py')

# hv.cfg: the API on DHCP, port 80; ops may do anything, look only read the root.
CONFIG = (f'\n[management]\naddress = dhcp\nhttp_port = 80\ninsecure_http = yes\n'
          f'\n[token ops]\nhash = {hashlib.sha256(OPS.encode()).hexdigest()}\n'
          f'rights = *:read,control,execute\n'
          f'\n[token look]\nhash = {hashlib.sha256(LOOK.encode()).hexdigest()}\n'
          f'rights = root:read\n')


class Failed(Exception):
    pass


def basic(user, token):
    return 'Basic ' + base64.b64encode(f'{user}:{token}'.encode()).decode()


def request(port, method, path, headers=None, body=None, timeout=30):
    """(status, headers, body bytes) on a connection of its own."""
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


def get_json(port, path, auth=None, want=200):
    status, headers, data = request(port, 'GET', path, {'Authorization': auth} if auth else {})
    if status != want:
        raise Failed(f'GET {path}: {status}, expected {want}: {data[:300]!r}')
    try:
        return json.loads(data), headers
    except ValueError as e:
        raise Failed(f'GET {path}: not JSON ({e}): {data[:300]!r}')


def wait_ready(port, log, within=120):
    """The root's API answers (QEMU's forwarder drops early connections) and
    g1's guest runs its Shutdown service (graceful resets need it)."""
    deadline, last = time.monotonic() + within, 'no attempt'
    while time.monotonic() < deadline:
        try:
            system, _ = get_json(port, f'/redfish/v1/Systems/{SYSTEM}', basic('ops', OPS))
            guest = system['Oem']['Hv']['GuestOS'] or {}
            if system['PowerState'] == 'On' and guest.get('CanShutdown'):
                log(f'{SYSTEM} is On and can shut down')
                return
            last = f'{system["PowerState"]}, guest {guest}'
        except (OSError, http.client.HTTPException, Failed) as e:
            last = f'{type(e).__name__}: {e}'
        time.sleep(1)
    raise Failed(f'not ready within {within}s: {last}')


def odata_ids(doc):
    """Every @odata.id in a JSON document."""
    if isinstance(doc, dict):
        for key, value in doc.items():
            if key == '@odata.id':
                yield value
            else:
                yield from odata_ids(value)
    elif isinstance(doc, list):
        for value in doc:
            yield from odata_ids(value)


def check_root_links(port, log):
    root, _ = get_json(port, '/redfish/v1/')
    links = sorted(set(odata_ids(root)))
    for uri in links:
        doc, headers = get_json(port, uri, basic('ops', OPS))
        if doc.get('@odata.id') != uri or 'ETag' not in headers:
            raise Failed(f'GET {uri}: @odata.id {doc.get("@odata.id")}, headers {headers}')
    get_json(port, '/redfish/v1/odata')
    status, _, data = request(port, 'GET', '/redfish/v1/$metadata')
    xml.etree.ElementTree.fromstring(data)
    log(f'the root links {len(links)} resources, each 200 with JSON: {links}; $metadata '
        f'{len(data)} bytes of XML ({status})')
    if len(links) < 7:
        raise Failed(f'the service root links too little: {links}')


def check_denied(port, log):
    path = f'/redfish/v1/Systems/{SYSTEM}'
    doc, _ = get_json(port, path, basic('look', LOOK), want=403)
    info = doc['error']['@Message.ExtendedInfo'][0]
    if not doc['error']['code'].endswith('InsufficientPrivilege') or \
            info['Oem']['Hv']['HResultName'] != 'E_ACCESSDENIED':
        raise Failed(f'403 body: {doc}')
    status, headers, _ = request(port, 'POST', f'{path}/Actions/ComputerSystem.Reset',
                                 {'Authorization': basic('look', LOOK)}, '{"ResetType":"ForceOff"}')
    if status != 403:
        raise Failed(f'a reset without rights: {status}')
    status, headers, _ = request(port, 'GET', path)
    if status != 401 or not headers.get('WWW-Authenticate', '').startswith('Basic'):
        raise Failed(f'no credentials: {status} {headers}')
    log(f'look: 403 {doc["error"]["code"]} on {SYSTEM} and its reset; no credentials: 401')


def redfishtool(port, log, *args, auth=('-u', 'ops', '-p', OPS)):
    cmd = ['redfishtool', '-r', f'127.0.0.1:{port}', '-S', 'Never', '-T', '30', *auth, *args]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    log(f'redfishtool {" ".join(args)}: exit {p.returncode}\n{p.stdout}{p.stderr}'.rstrip())
    if p.returncode != 0:
        raise Failed(f'redfishtool {" ".join(args)}: exit {p.returncode}: {p.stderr.strip()}')
    return p.stdout


def check_session(port, log):
    """redfishtool logs in (X-Auth-Token and the session's id), the key works,
    redfishtool logs out with it, and the key is refused."""
    out = json.loads(redfishtool(port, log, 'SessionService', 'login'))
    key, sid = out['X-Auth-Token'], out['SessionId']
    path = f'/redfish/v1/Systems/{SYSTEM}'
    status, _, _ = request(port, 'GET', path, {'X-Auth-Token': key})
    if status != 200:
        raise Failed(f'GET with the session key: {status}')
    redfishtool(port, log, '-A', 'Session', 'SessionService', 'logout', '-i', str(sid),
                auth=('-t', key))
    status, _, _ = request(port, 'GET', path, {'X-Auth-Token': key})
    if status != 401:
        raise Failed(f'GET with the key after logout: {status}')
    log(f'session {sid}: logged in, used, logged out, refused after')


class EventStream(threading.Thread):
    """Reads the SSE stream until every wanted MessageId arrived for g1 or
    the deadline; keeps what it read."""
    def __init__(self, port, wanted, within=150):
        super().__init__(daemon=True)
        self.port, self.wanted, self.within = port, list(wanted), within
        self.events, self.error = [], None
        self.opened = threading.Event()

    def run(self):
        try:
            conn = http.client.HTTPConnection('127.0.0.1', self.port, timeout=self.within)
            conn.request('GET', '/redfish/v1/EventService/SSE',
                         headers={'Authorization': basic('ops', OPS)})
            r = conn.getresponse()
            if r.status != 200 or r.getheader('Content-Type') != 'text/event-stream':
                raise Failed(f'SSE: {r.status} {r.getheaders()}')
            self.opened.set()
            deadline = time.monotonic() + self.within
            while self.wanted and time.monotonic() < deadline:
                line = r.fp.readline().decode()
                if not line:
                    raise Failed('SSE: the stream ended')
                if line.startswith('data: '):
                    for record in json.loads(line[6:])['Events']:
                        self.events.append(record)
                        key = record['MessageId'].rsplit('.', 1)[1]
                        if key in self.wanted:
                            self.wanted.remove(key)
            conn.close()
        except (OSError, http.client.HTTPException, ValueError, Failed) as e:
            self.error = f'{type(e).__name__}: {e}'
        self.opened.set()


def power_state_becomes(port, state, within=60):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        system, _ = get_json(port, f'/redfish/v1/Systems/{SYSTEM}', basic('ops', OPS))
        if system['PowerState'] == state:
            return
        time.sleep(0.5)
    raise Failed(f'{SYSTEM} did not become {state} within {within}s')


def last_task(port):
    tasks, _ = get_json(port, '/redfish/v1/TaskService/Tasks', basic('ops', OPS))
    uri = max((m['@odata.id'] for m in tasks['Members']), key=lambda u: int(u.rsplit('/', 1)[1]))
    return get_json(port, uri, basic('ops', OPS))[0]


def check_redfishtool_power(port, log):
    listing = redfishtool(port, log, '-A', 'Session', 'Systems', 'list')
    if f'/redfish/v1/Systems/{SYSTEM}' not in listing:
        raise Failed(f'Systems list lacks {SYSTEM}')
    system = json.loads(redfishtool(port, log, 'Systems', '-I', SYSTEM))
    if system['PowerState'] != 'On' or system['SystemType'] != 'VirtuallyPartitioned':
        raise Failed(f'Systems -I {SYSTEM}: {system}')
    events = EventStream(port, ['ResourcePoweredOff', 'TaskCompletedOK', 'ResourcePoweredOn',
                                'TaskCompletedOK'])
    events.start()
    events.opened.wait(30)
    for reset, state in (('GracefulShutdown', 'Off'), ('On', 'On')):
        redfishtool(port, log, 'Systems', '-I', SYSTEM, 'reset', reset)
        power_state_becomes(port, state)
        task = last_task(port)
        log(f'{reset}: task {task["Id"]} {task["Description"]} {task["TaskState"]} '
            f'{task["PercentComplete"]}%')
        if task['TaskState'] != 'Completed':
            raise Failed(f'{reset}: {task}')
    events.join(60)
    log(f'SSE: {len(events.events)} events: ' +
        ', '.join(f'{e["MessageId"].rsplit(".", 1)[1]} {e["MessageArgs"]}' for e in events.events))
    if events.error or events.wanted:
        raise Failed(f'SSE: {events.error or "missing " + str(events.wanted)}')


def check_sushy(port, log):
    cmd = ['/usr/bin/python3', str(SUSHY), f'http://127.0.0.1:{port}', 'ops', OPS,
           f'/redfish/v1/Systems/{SYSTEM}']
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    log(f'redfish_sushy.py: exit {p.returncode}\n{p.stdout}{p.stderr[-2000:]}'.rstrip())
    if p.returncode != 0:
        failed = re.findall(r'^sushy: FAILED: .*$', p.stdout, re.M)
        raise Failed(failed[-1] if failed else f'redfish_sushy.py: exit {p.returncode}')


def clients():
    def client(port, log):
        steps = (wait_ready, check_root_links, check_denied, check_session,
                 check_redfishtool_power, check_sushy)
        try:
            for step in steps:
                start = time.monotonic()
                step(port, log)
                log(f'{step.__name__}: {time.monotonic() - start:.1f}s')
            return None
        except Failed as e:
            return f'{step.__name__}: {e}'
    return client
