"""Serve Descent Lab to a class: nginx in front of N Streamlit replicas of the app.

    python3 deploy/class_server.py start 4            # nginx on 0.0.0.0:8631, replicas 8632-8635
    python3 deploy/class_server.py status
    python3 deploy/class_server.py stop

Streamlit keeps each browser session in one process, and one process computes on one core at a
time; a class needs several. ``start`` writes nginx's configuration for N replicas
(``deploy/nginx.conf.template``) into the run directory, starts the replicas on 127.0.0.1 and
nginx (no root needed: everything it writes stays in the run directory), waits until every
replica and nginx answer ``/_stcore/health``, records the processes in ``state.json`` and
returns. ``stop`` ends them all; ``status`` says which are up. A browser keeps its replica
through a cookie (see the template).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
DEFAULT_RUN_DIR = Path(__file__).resolve().parent / "run"
DEFAULT_PORT = 8631
#: The cookie that pins a browser to its replica.
STICKY_COOKIE = "descent_lab_replica"
START_SECONDS = 120
STOP_SECONDS = 15


def nginx_executable() -> str | None:
    # Debian installs it in /usr/sbin, which is not on a normal user's PATH.
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")


def nginx_config(run_dir: Path, address: str, port: int, replica_ports: list[int]) -> str:
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;"
                        for p in replica_ports)
    values = {"RUN_DIR": str(run_dir), "ADDRESS": address, "PORT": str(port),
              "SERVERS": servers, "COOKIE": STICKY_COOKIE}
    text = TEMPLATE.read_text()
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", value)
    if "{{" in text:
        raise ValueError(f"{TEMPLATE.name} has a name class_server.py gives no value")
    return text


def nginx_url(state: dict) -> str:
    """Where this machine reaches nginx (listening on every interface: on the loopback)."""
    host = "127.0.0.1" if state["address"] == "0.0.0.0" else state["address"]
    return f"http://{host}:{state['port']}"


def replica_command(port: int) -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", "app.py",
            "--server.port", str(port), "--server.address", "127.0.0.1",
            "--server.headless", "true", "--server.fileWatcherType", "none",
            "--browser.gatherUsageStats", "false"]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def process_stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command's name (state first); None if gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for its parent to collect it does not)."""
    stat = process_stat(pid)
    return stat is not None and stat[0] != "Z"


def started_at(pid: int) -> int | None:
    """When the process began, in clock ticks since boot: with its pid, it names the process
    (a pid can be reused; its command line is not there yet the instant after it starts)."""
    stat = process_stat(pid)
    return int(stat[19]) if stat else None


def read_state(run_dir: Path) -> dict | None:
    path = run_dir / "state.json"
    return json.loads(path.read_text()) if path.is_file() else None


def processes(state: dict) -> list[dict]:
    """Each recorded process: its name, pid and start time."""
    found = [{"name": f"replica :{r['port']}", **r["process"]} for r in state["replicas"]]
    if state.get("nginx"):
        found.append({"name": "nginx", **state["nginx"]})
    return found


def ours(process: dict) -> bool:
    """Still running, and still the process we started."""
    return alive(process["pid"]) and started_at(process["pid"]) == process["started_at"]


def health_urls(state: dict) -> dict[str, str]:
    """Where each recorded process answers, by its name in ``processes``."""
    urls = {f"replica :{r['port']}": f"http://127.0.0.1:{r['port']}" for r in state["replicas"]}
    if state.get("nginx"):
        urls["nginx"] = nginx_url(state)
    return urls


def wait_until_healthy(state: dict, run_dir: Path, deadline: float) -> bool:
    """Whether every recorded process answers before ``deadline`` (says why not if not)."""
    waiting = health_urls(state)
    while waiting and time.monotonic() < deadline:
        dead = [p["name"] for p in processes(state) if not ours(p)]
        if dead:
            print(f"{', '.join(dead)} stopped while starting: see the logs in {run_dir}",
                  file=sys.stderr)
            return False
        waiting = {name: url for name, url in waiting.items() if not healthy(url)}
        time.sleep(0.3)
    if waiting:
        print(f"not healthy after {START_SECONDS} s: {', '.join(waiting)}", file=sys.stderr)
    return not waiting


def spawn(command: list[str], log: Path, env: dict | None = None) -> dict:
    with log.open("w") as out:
        # A session of its own: the processes outlive this script and ignore its terminal's ^C.
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    return {"pid": process.pid, "started_at": started_at(process.pid)}


def start(count: int, address: str, port: int, replica_ports: list[int] | None,
          run_dir: Path) -> int:
    nginx = nginx_executable()
    if nginx is None:
        print("nginx is not installed: apt-get install -y nginx", file=sys.stderr)
        return 1
    state = read_state(run_dir)
    if state and any(ours(p) for p in processes(state)):
        print(f"already running from {run_dir}: stop it first", file=sys.stderr)
        return 1
    replica_ports = replica_ports or [port + 1 + i for i in range(count)]
    if len(replica_ports) != count:
        print(f"{count} replicas need {count} ports, got {len(replica_ports)}", file=sys.stderr)
        return 1
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "nginx-temp").mkdir(exist_ok=True)
    conf = run_dir / "nginx.conf"
    conf.write_text(nginx_config(run_dir.resolve(), address, port, replica_ports))
    nginx_args = ["-p", str(run_dir.resolve()), "-c", str(conf.resolve()),
                  "-e", str((run_dir / "nginx-error.log").resolve())]
    check = subprocess.run([nginx, "-t", "-q", *nginx_args], capture_output=True, text=True)
    if check.returncode != 0:
        print(f"nginx refuses {conf}:\n{check.stderr}", file=sys.stderr)
        return 1

    # One secret for every replica: a browser's XSRF cookie is valid wherever it lands.
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32)}
    state = {"address": address, "port": port, "nginx": None,
             "replicas": [{"port": p, "process": spawn(replica_command(p),
                                                         run_dir / f"replica-{p}.log", env)}
                          for p in replica_ports]}
    (run_dir / "state.json").write_text(json.dumps(state, indent=2))
    deadline = time.monotonic() + START_SECONDS
    # nginx starts once every replica answers: a replica it found closed would sit out a while.
    if wait_until_healthy(state, run_dir, deadline):
        state["nginx"] = spawn([nginx, *nginx_args], run_dir / "nginx-output.log")
        (run_dir / "state.json").write_text(json.dumps(state, indent=2))
    if state["nginx"] is None or not wait_until_healthy(state, run_dir, deadline):
        stop(run_dir)
        return 1
    print(f"Descent Lab on http://{address}:{port} ({count} replicas: "
          f"{', '.join(map(str, replica_ports))}); logs in {run_dir}")
    return 0


def stop(run_dir: Path) -> int:
    state = read_state(run_dir)
    if state is None:
        print(f"nothing recorded in {run_dir}")
        return 0
    running = [p for p in processes(state) if ours(p)]
    for process in running:
        # nginx's fast shutdown (SIGTERM) closes the open websockets; a graceful one would wait
        # for every tab to close.
        os.kill(process["pid"], signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    while any(ours(p) for p in running) and time.monotonic() < deadline:
        time.sleep(0.1)
    for process in running:
        if ours(process):
            os.kill(process["pid"], signal.SIGKILL)
            print(f"{process['name']} did not stop in {STOP_SECONDS} s: killed")
    (run_dir / "state.json").unlink()
    print(f"stopped {len(running)} processes")
    return 0


def status(run_dir: Path) -> int:
    """One line per process: its pid and whether it answers; exit status 0 when all do."""
    state = read_state(run_dir)
    if state is None:
        print(f"not running (nothing recorded in {run_dir})")
        return 1
    urls = health_urls(state)
    all_up = True
    for process in processes(state):
        up = ours(process) and healthy(urls[process["name"]])
        all_up = all_up and up
        print(f"{process['name']:<16} pid {process['pid']:<8} {'healthy' if up else 'DOWN'}")
    return 0 if all_up else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run-dir", type=Path, default=DEFAULT_RUN_DIR,
                        help="where the configuration, logs and state go (default: deploy/run)")
    commands = parser.add_subparsers(dest="command", required=True)
    start_parser = commands.add_parser("start", help="start N replicas behind nginx")
    start_parser.add_argument("replicas", type=int, help="how many app processes")
    start_parser.add_argument("--address", default="0.0.0.0",
                              help="where nginx listens (default 0.0.0.0: the whole network)")
    start_parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                              help=f"nginx's port (default {DEFAULT_PORT})")
    start_parser.add_argument("--replica-ports", type=lambda text: [int(p) for p in
                                                                   text.split(",")],
                              help="comma-separated, one per replica (default: the ports "
                                   "after nginx's)")
    commands.add_parser("stop", help="stop nginx and every replica")
    commands.add_parser("status", help="which processes run and answer")
    args = parser.parse_args(argv)
    if args.command == "start":
        if args.replicas < 1:
            parser.error("at least one replica")
        return start(args.replicas, args.address, args.port, args.replica_ports, args.run_dir)
    if args.command == "stop":
        return stop(args.run_dir)
    return status(args.run_dir)


if __name__ == "__main__":
    sys.exit(main())
