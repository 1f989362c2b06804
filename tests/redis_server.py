"""A private redis-server process on a free loopback port, with AOF, for the fault tests and bench/faults.py.

No pytest or Django import here, so that a benchmark can start one too. The server keeps its
append-only file in its own folder, so a restart on the same port and folder finds the queue as it was.
"""

import shutil
import socket
import subprocess
import time
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_server_binary() -> str | None:
    return shutil.which("redis-server")


class RedisServer:
    """``redis-server --appendonly yes`` on 127.0.0.1:<free port> with its files in ``folder``.

    ``url`` stays the same across ``stop()``/``start()``, as a restarted production server's would.
    """

    def __init__(self, folder: Path, port: int | None = None):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        self.log = self.folder / "redis.log"

    def start(self, timeout: float = 30) -> "RedisServer":
        binary = redis_server_binary()
        if binary is None:
            raise FileNotFoundError("redis-server is not installed")
        command = [
            binary, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.folder),
            # AOF as in production: every write logged, fsynced each second; no RDB snapshots.
            "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
            "--logfile", str(self.log), "--protected-mode", "yes",
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while not self.ping():
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.process.returncode}:\n{self.output()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"redis-server did not answer after {timeout} s:\n{self.output()}")
            time.sleep(0.1)
        return self

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=2).ping())
        except redis.RedisError:
            return False

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_connect_timeout=2, socket_timeout=5)

    def stop(self, timeout: float = 30) -> None:
        """A clean shutdown (SIGTERM: redis fsyncs its AOF first); the port is free again afterwards."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
