"""A private Dovecot IMAP server for tests: its own config, users and Maildirs on a free port.

Facts from ../shared/TESTING-SERVERS.md: as root, Dovecot refuses to run its login
process as root and refuses uid 0 from the userdb, so the instance runs as the
package's `dovecot`/`dovenull` users and the folder must be reachable by them
(`tempfile.mkdtemp()` chmod 0755, not pytest's 0700 `tmp_path`). As a normal user
everything runs as that user.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

DOVECOT_PATHS = ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot")
PASSWORD = "secret"
# Dovecot notices a changed passwd-file only once its mtime moves on (whole seconds), so
# every user a session can need is written before it starts.
USERS = 500


def find_dovecot() -> str | None:
    """The dovecot binary, or None when it is not installed."""
    found = shutil.which("dovecot")
    if found:
        return found
    return next((path for path in DOVECOT_PATHS if os.access(path, os.X_OK)), None)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _identity() -> tuple[str, str, str]:
    """(internal user, login user, group) the instance runs as."""
    if os.geteuid() == 0:
        return "dovecot", "dovenull", "dovecot"
    user = pwd.getpwuid(os.geteuid()).pw_name
    group = _group_name(os.getegid())
    return user, user, group


def _group_name(gid: int) -> str:
    import grp

    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def _config(root: Path, port: int) -> str:
    internal, login, group = _identity()
    return f"""
base_dir = {root}/run
state_dir = {root}/state
instance_name = callsheet-test-{port}
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {internal}
default_login_user = {login}
default_internal_group = {group}
mail_location = maildir:~/Maildir
mail_uid = {internal}
mail_gid = {group}
first_valid_uid = 0
mail_privileged_group =
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
  # No login penalty after the wrong-password test: it would slow every later login by 2-15 s.
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={internal} gid={group} home={root}/home/%u
}}
"""


@dataclass
class Dovecot:
    """One running instance; `new_user()` gives each test its own empty mailbox."""

    binary: str
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="callsheet-dovecot-")))
    port: int = field(default_factory=free_port)
    host: str = "127.0.0.1"
    _users: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def config_path(self) -> Path:
        return self.root / "dovecot.conf"

    def start(self, timeout: float = 10.0) -> None:
        os.chmod(self.root, 0o755)
        for folder in ("run", "state", "home"):
            (self.root / folder).mkdir(exist_ok=True)
        (self.root / "passwd").write_text(
            "".join(f"{_login(n)}:{{PLAIN}}{PASSWORD}\n" for n in range(1, USERS + 1)))
        self.config_path.write_text(_config(self.root, self.port))
        if os.geteuid() == 0:
            shutil.chown(self.root / "home", "dovecot", "dovecot")
        # The daemon's children inherit stdout and stderr: a pipe would never reach EOF.
        with (self.root / "startup.log").open("wb") as startup_log:
            started = subprocess.run([self.binary, "-c", str(self.config_path)], timeout=timeout,
                                     stdin=subprocess.DEVNULL, stdout=startup_log, stderr=startup_log)
        if started.returncode != 0:
            raise RuntimeError(f"Dovecot did not start: {(self.root / 'startup.log').read_text()}")
        self._wait_for_greeting(timeout)

    def _wait_for_greeting(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as conn:
                    if conn.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"Dovecot did not answer on port {self.port}: {self.log()}")

    def new_user(self) -> str:
        """A passwd-file user nobody has used yet (its Maildir appears on first login)."""
        number = next(self._users)
        if number > USERS:
            raise RuntimeError(f"more than {USERS} IMAP users in one test session")
        return _login(number)

    def url(self, login: str) -> str:
        """The `CALLSHEET_IMAP_URL` for `login` on this instance."""
        return f"imap://{login.replace('@', '%40')}@{self.host}:{self.port}?tls=none"

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def stop(self, timeout: float = 5.0) -> None:
        """SIGTERM the master and wait for it (`dovecot stop` itself polls for about 2 s)."""
        try:
            pid = self._master_pid()
            if pid is not None:
                os.kill(pid, signal.SIGTERM)
                deadline = time.monotonic() + timeout
                while _alive(pid) and time.monotonic() < deadline:
                    time.sleep(0.01)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def _master_pid(self) -> int | None:
        try:
            return int((self.root / "run" / "master.pid").read_text().strip())
        except (OSError, ValueError):
            return None


def _login(number: int) -> str:
    return f"user{number}@example.test"


@dataclass
class ImapAccount:
    """A fresh mailbox on a running instance."""

    server: Dovecot
    login: str
    password: str = PASSWORD

    @property
    def url(self) -> str:
        return self.server.url(self.login)


def _alive(pid: int) -> bool:
    """True while `pid` runs (a zombie left for an init that does not reap counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False
