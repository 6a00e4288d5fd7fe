"""Acknowledged posts survive SIGKILL, on both backends: four clients publish while the real
server is killed at a random moment (`HARDENING_CYCLES` times, 3 by default, 100 in
`scripts/hardening`), restarted on the same database, and every post it acknowledged with a 200
must be there with its text.
"""

import os
import random
import signal
import threading
import time

import requests

from conftest import PASSWORD, credence, start_server

CYCLES = int(os.environ.get("HARDENING_CYCLES", "3"))


def wait_until_up(url, proc):
    for _ in range(200):
        if proc.poll() is not None:
            raise AssertionError("the server exited")
        try:
            if requests.get(f"{url}/healthz", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.05)
    raise AssertionError("the server did not come up")


def test_acknowledged_posts_survive_sigkill(database):
    credence(database, "admin", "create-user", "--email", "crash@example.org", "--handle",
             "h_crash", "--role", "professional", stdin=PASSWORD)
    token = credence(database, "admin", "token", "--handle", "h_crash")
    headers = {"Authorization": f"Bearer {token}"}
    acknowledged = {}
    lock = threading.Lock()
    rng = random.Random(21)
    for cycle in range(CYCLES):
        proc, url = start_server(database)
        wait_until_up(url, proc)
        stop = threading.Event()

        def post(worker):
            n = 0
            while not stop.is_set():
                text = f"Crash cycle {cycle} worker {worker} post {n}"
                n += 1
                try:
                    r = requests.post(f"{url}/api/v1/statuses", headers=headers,
                                      json={"status": text}, timeout=10)
                except requests.RequestException:
                    return
                if r.status_code == 200:
                    with lock:
                        acknowledged[r.json()["id"]] = text

        workers = [threading.Thread(target=post, args=(w,)) for w in range(4)]
        for w in workers:
            w.start()
        time.sleep(rng.uniform(0.3, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        stop.set()
        for w in workers:
            w.join(timeout=30)
    proc, url = start_server(database)
    wait_until_up(url, proc)
    lost = [sid for sid, text in acknowledged.items()
            if not (r := requests.get(f"{url}/api/v1/statuses/{sid}", headers=headers,
                                      timeout=30)).ok or text not in r.json()["content"]]
    proc.terminate()
    proc.wait(timeout=30)
    print(f"\ncrash cycles: {CYCLES} SIGKILLs, {len(acknowledged)} acknowledged posts, "
          f"{len(lost)} lost")
    assert acknowledged, "posts were acknowledged before the kills"
    assert not lost, lost[:20]
