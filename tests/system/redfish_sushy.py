#!/usr/bin/python3
# redfish_sushy.py: a Redfish client on Debian's python3-sushy (OpenStack
# Ironic's Redfish library), run by redfish_clients.py with Debian's
# /usr/bin/python3, where the package lives.  It connects (sushy logs in
# with a session, falling back to Basic), reads the system's power
# state, resets it with every ResetType the system allows, in an order
# each is valid from, and follows each reset's task to completion through
# its task monitor.  Usage: redfish_sushy.py URL USER PASSWORD SYSTEM_PATH.
# Exit status 0 when every step held; one line per step on stdout.
import sys
import time

import sushy
from sushy import taskmonitor

TASK_TIMEOUT = 90
READY_TIMEOUT = 60
R = sushy.ResetType
P = sushy.PowerState
# (reset, state it starts from, state it ends in, needs the guest's Shutdown service)
STEPS = (
    (R.FORCE_RESTART, P.ON, P.ON, False),
    (R.GRACEFUL_RESTART, P.ON, P.ON, True),
    (R.POWER_CYCLE, P.ON, P.ON, False),
    (R.GRACEFUL_SHUTDOWN, P.ON, P.OFF, True),
    (R.ON, P.OFF, P.ON, False),
    (R.FORCE_OFF, P.ON, P.OFF, False),
    (R.POWER_CYCLE, P.OFF, P.ON, False),
)


def log(text):
    print(f'sushy: {text}', flush=True)


def wait_ready(system, state, graceful):
    """Until the system is in state and, for a graceful reset, its guest's
    Shutdown service is up (it restarts with the guest)."""
    deadline = time.monotonic() + READY_TIMEOUT
    while True:
        system.refresh()
        guest = system.json.get('Oem', {}).get('Hv', {}).get('GuestOS') or {}
        if system.power_state == state and (not graceful or guest.get('CanShutdown')):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f'{system.identity} not ready for the next reset: '
                               f'{system.power_state}, guest {guest}')
        time.sleep(1)


def task_ids(root):
    return {m.identity for m in root.get_task_service().tasks.get_members()}


def follow(root, before):
    """The task the last reset created, followed through its task monitor."""
    new = [m for m in root.get_task_service().tasks.get_members() if m.identity not in before]
    if len(new) != 1:
        raise RuntimeError(f'expected one new task, found {[m.identity for m in new]}')
    task = new[0]
    log(f'task {task.identity} {task.description}: {task.task_state}, monitor {task.task_monitor}')
    # Sushy.get_task_monitor needs the standard registries Debian's package
    # lacks: build the monitor on the connection itself.
    monitor = taskmonitor.TaskMonitor(root._conn, task.task_monitor)
    monitor.wait(TASK_TIMEOUT)
    task.refresh()
    log(f'task {task.identity}: {task.task_state} {task.percent_complete}% '
        f'monitor answered {monitor.response.status_code}')
    if (task.task_state != sushy.TaskState.COMPLETED or task.percent_complete != 100 or
            monitor.response.status_code != 200):
        raise RuntimeError(f'task {task.identity} did not complete: {task.json}')


def main(url, user, password, path):
    root = sushy.Sushy(url, username=user, password=password)
    sessions = root.get_session_service().sessions.members_identities
    log(f'connected to {root.product}, Redfish {root.redfish_version}, sessions {sessions}')
    if not sessions:
        raise RuntimeError('sushy did not log in with a session')
    system = root.get_system(path)
    log(f'{system.identity}: power_state {system.power_state}, type {system.system_type}')
    allowed = system.get_allowed_reset_system_values()
    log(f'allowed resets: {sorted(v.value for v in allowed)}')
    for reset, start, end, graceful in STEPS:
        if reset not in allowed:
            raise RuntimeError(f'{reset.value} is not allowed')
        wait_ready(system, start, graceful)
        before = task_ids(root)
        system.reset_system(reset)
        log(f'reset_system({reset.value}) from {start.value}')
        follow(root, before)
        system.refresh()
        if system.power_state != end:
            raise RuntimeError(f'after {reset.value}: {system.power_state}, expected {end}')
    log('every reset completed')
    root._auth.close()      # logs out (DELETE of the session)
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main(*sys.argv[1:5]))
    except Exception as e:      # the step that failed, for the test's log
        log(f'FAILED: {type(e).__name__}: {e}')
        sys.exit(1)
