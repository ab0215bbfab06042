"""scripts/run: arguments, the .env file, and serving on the chosen port (subprocesses)."""

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
RUN = ROOT / "scripts" / "run"


def _env(tmp_path, **extra) -> dict:
    """The environment of a newcomer's shell: embedded default, nothing from this test run."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(PILOT_VAR_DIR=str(tmp_path / "var"), PILOT_ENV_FILE=str(tmp_path / "none.env"))
    env.update(extra)
    return env


def _run(tmp_path, *args, **extra) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(RUN), *args], env=_env(tmp_path, **extra), capture_output=True, text=True, timeout=60
    )


def test_run_refuses_a_port_that_is_not_a_number(tmp_path):
    result = _run(tmp_path, "--port", "80a")
    assert result.returncode == 2
    assert "the port must be a number from 1 to 65535 (got: 80a)" in result.stderr


def test_run_refuses_a_port_from_the_environment_out_of_range(tmp_path):
    result = _run(tmp_path, "--no-serve", PORT="70000")
    assert result.returncode == 2
    assert "(got: 70000)" in result.stderr


def test_run_refuses_an_unknown_argument_and_shows_the_usage(tmp_path):
    result = _run(tmp_path, "--serve-forever")
    assert result.returncode == 2
    assert "unknown argument: --serve-forever" in result.stderr
    assert "scripts/run --port 8080" in result.stderr


def _load(tmp_path, text: str, **environment) -> tuple[list[str], str]:
    """Source scripts/_env.sh, load the text as a .env file; return A..F and the warnings."""
    env_file = tmp_path / "test.env"
    env_file.write_text(text, encoding="utf-8")
    script = (
        f'set -euo pipefail; source "{ROOT}/scripts/_env.sh"; load_env_file "$1"; '
        'for k in A B C D E F; do printf "%s=[%s]\\n" "$k" "${!k-unset}"; done'
    )
    env = {"PATH": os.environ["PATH"], **environment}
    result = subprocess.run(
        ["bash", "-c", script, "bash", str(env_file)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.splitlines(), result.stderr


def test_env_file_sets_what_the_environment_leaves_unset(tmp_path):
    lines, _ = _load(
        tmp_path,
        "# a comment\n\nA=plain value   # a note\nB=\"quoted # kept\"\nexport C='single'\r\n"
        "D=\nF=x=y",
    )
    assert lines == ["A=[plain value]", "B=[quoted # kept]", "C=[single]", "D=[]", "E=[unset]",
                     "F=[x=y]"]  # fmt: skip


def test_env_file_never_overrides_the_environment_even_an_empty_value(tmp_path):
    lines, _ = _load(tmp_path, "A=from-file\nB=from-file\n", A="from-shell", B="")
    assert lines[:2] == ["A=[from-shell]", "B=[]"]


def test_env_file_runs_nothing_and_reports_lines_it_cannot_read(tmp_path):
    marker = tmp_path / "ran"
    lines, stderr = _load(tmp_path, f"A=$(touch {marker})\ntouch {marker}\n")
    assert lines[0] == f"A=[$(touch {marker})]"
    assert not marker.exists()
    assert f"ignored a line that is not KEY=VALUE: touch {marker}" in stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _status(url: str) -> int | None:
    request = urllib.request.Request(url, method="HEAD")
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        return opener.open(request, timeout=2).status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_run_takes_the_port_and_settings_from_the_env_file_and_serves(tmp_path):
    # DEBUG=0 from the file: migrate and serve without demo data (the demo's own set-up is
    # tested in tasks/tests/test_setup_demo.py and by CI's scripts/run --no-serve).
    port = _free_port()
    (tmp_path / "site.env").write_text(
        f"DEBUG=0\nSECRET_KEY={'s' * 50}\nALLOWED_HOSTS=127.0.0.1\nPORT={port}\n",
        encoding="utf-8",
    )
    env = _env(tmp_path, PILOT_ENV_FILE=str(tmp_path / "site.env"))
    env.pop("DEBUG", None)
    env.pop("PORT", None)
    log = tmp_path / "run.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(RUN)], env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        status, deadline = None, time.monotonic() + 90
        while status is None and time.monotonic() < deadline and server.poll() is None:
            time.sleep(0.5)
            status = _status(f"http://127.0.0.1:{port}/accounts/login/")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
    text = log.read_text()
    # Production settings (DEBUG=0) send plain HTTP on to HTTPS: the answer is the redirect.
    assert status == 301, text
    assert f"The portal: http://127.0.0.1:{port}" in text
    assert "DEBUG is off: no demo data" in text
    assert "demo12345" not in text
