"""The demo path does not rot: `make dev`'s own script sets up, seeds and serves the network."""

import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest

from .conftest import free_port

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def get(port: int, host: str, path: str) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": f"{host}:{port}"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _stop_group(proc: subprocess.Popen) -> None:
    """Stop make dev's processes; a script that already exited has no group left to signal."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def test_make_dev_sets_up_seeds_and_serves_the_hub_and_a_tenant(tmp_path):
    port = free_port()
    database = f"parkhub_demo_check_{os.getpid()}"
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/parkhub").rsplit("/", 1)[0]
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DATABASE_URL=f"{base}/{database}",
        REDIS_URL="redis://127.0.0.1:6379/12",
        CELERY_TASK_DEFAULT_QUEUE="parkhub-demo-check",
        CELERY_BEAT_SCHEDULE_FILENAME=str(tmp_path / "beat-schedule"),
        MEDIA_ROOT=str(tmp_path / "media"),
        PARKHUB_SERVICES_ENV=str(tmp_path / "services.env"),
        PORT=str(port),
        # The whole path, on a tenth of the network's enterprises and twelve institutions (seven of them admitted): the full
        # demo takes minutes on a small machine, and its size adds nothing to what is checked here.
        PARKHUB_DEMO_ARGS="--enterprises 700 --institutions 12",
    )
    log = tmp_path / "dev.log"
    proc = subprocess.Popen(
        ["bash", "scripts/dev.sh"],
        cwd=ROOT,
        env=env,
        stdout=open(log, "w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            output = log.read_text()
            if proc.poll() is not None:
                pytest.fail(f"make dev's script exited early:\n{output[-4000:]}")
            if "ready." in output and "beat: Starting" in output and "Quit the server" in output:
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"web, worker and beat did not all start:\n{log.read_text()[-4000:]}")
        output = log.read_text()
        assert "hub@parkhub.demo" in output and "admin@jiaodong.demo" in output  # the demo logins are printed
        assert get(port, "hub.localhost", "/accounts/login/") == 200
        assert get(port, "jiaodong.localhost", "/") == 200
        assert get(port, "kaifaqu.localhost", "/accounts/login/") == 200
        assert get(port, "nowhere.localhost", "/") == 404
        # The X of 1+12+X: an institution's login is printed and its own site answers.
        assert "@jigou01.demo" in output
        assert get(port, "jigou01.localhost", "/accounts/login/") == 200
    finally:
        _stop_group(proc)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
