"""A real S3-compatible server for the object-storage tests: moto's server mode, as a process.

The server speaks the S3 HTTP API on a free port (signatures, presigned URLs and their
expiry included), so the tests go through boto3 and django-storages exactly as production
does against a real bucket; only the server differs.
"""

import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

# The virtualenv's own (pinned in pyproject.toml), not whichever moto_server is first on PATH.
MOTO_SERVER = str(Path(sys.executable).with_name("moto_server"))
ACCESS_KEY = "parkhub-test"
SECRET_KEY = "parkhub-test-secret"
REGION = "us-east-1"


@dataclass
class RunningS3:
    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
        )

    def storage_options(self, *, bucket: str, prefix: str = "tenants", expire: int = 60) -> dict:
        """The OPTIONS of STORAGES["default"] that saas/settings/base.py builds for PARKHUB_MEDIA_BACKEND=s3."""
        return {
            "bucket_name": bucket,
            "endpoint_url": self.endpoint_url,
            "region_name": REGION,
            "access_key": ACCESS_KEY,
            "secret_key": SECRET_KEY,
            "location": prefix,
            "addressing_style": "path",
            "signature_version": "s3v4",
            "querystring_auth": True,
            "querystring_expire": expire,
            "file_overwrite": False,
            "default_acl": None,
        }

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.log_path.parent, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def s3_start() -> RunningS3:
    """Start moto_server on a free port and wait until it answers."""
    if not Path(MOTO_SERVER).exists():
        raise RuntimeError(
            "moto_server is not installed: `make install` installs the dev extra (moto[server])"
        )
    workdir = Path(tempfile.mkdtemp(prefix="parkhub-s3-"))
    log_path = workdir / "moto.log"
    port = _free_port()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [MOTO_SERVER, "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT
        )
    running = RunningS3(port=port, process=process, log_path=log_path)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto_server exited: {log_path.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(f"{running.endpoint_url}/moto-api/", timeout=1).close()
            return running
        except OSError:
            time.sleep(0.2)
    running.stop()
    raise RuntimeError("moto_server did not answer in 30 s")
