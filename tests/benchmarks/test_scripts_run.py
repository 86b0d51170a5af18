"""Every script in benchmarks/ runs to the end at its smallest sizes and prints what it measures.

Nothing else runs them, so a change that breaks one (a method it calls, removed) goes unnoticed.
Each runs here as a person runs it: `python benchmarks/NAME.py ...` from the repository, in a
process of its own. The figures themselves are never checked (on a shared machine they mean
nothing, and issue 18 rules out timed assertions): only that every phase printed its figure, its
ratio and its target, and the counts that do not depend on speed (messages sent, updates lost).

The scripts bring their own SQLite databases, so on the PostgreSQL pass only the PostgreSQL parts
run: load.py with one process on the server, and processes.py (also Caddy), which alone takes
over a minute and so is marked e2e.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import databases

REPOSITORY = Path(__file__).resolve().parents[2]
# Only against a hang: each script takes well under a minute here (processes.py about two).
HANG_GUARD_S = 300.0
PROCESSES_HANG_GUARD_S = 600.0
RATE = r"[\d,.]+/s"
MS = r"[\d,.]+ ms"
RATIO = r"[\d.]+x"
VERDICT = r"(?:pass|miss)"

sqlite_only = pytest.mark.skipif(
    databases.ON_POSTGRES,
    reason="the script makes its own SQLite database whatever the tests' server; "
    "the SQLite pass runs it",
)
postgres_only = pytest.mark.skipif(
    not databases.ON_POSTGRES, reason="needs a PostgreSQL server (COLBOT_TEST_DATABASE_URL)"
)


def run(tmp_path: Path, line: str, *more: str, hang_guard_s: float = HANG_GUARD_S) -> str:
    """Runs `python benchmarks/LINE MORE...` to its end and returns what it printed.

    Fails on a bad exit. Its temporary folders go in the test's own.
    """
    script, *args = line.split()
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    command = [sys.executable, f"benchmarks/{script}", *args, *more]
    # A session of its own, so a hung script's own children (colbot serve, the Bot API double,
    # Caddy) are stopped with it.
    with subprocess.Popen(
        command,
        cwd=REPOSITORY,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    ) as process:
        try:
            out, err = process.communicate(timeout=hang_guard_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, err = process.communicate()
            pytest.fail(f"{line} still running after {hang_guard_s:g} s:\n{out}\n{err}")
    assert process.returncode == 0, f"{line} exited with {process.returncode}:\n{out}\n{err}"
    return out


def has(output: str, pattern: str) -> re.Match[str]:
    """The first line matching the pattern (a regular expression), or the test fails."""
    found = re.search(pattern, output, re.MULTILINE)
    assert found, f"no line matching {pattern!r} in:\n{output}"
    return found


@sqlite_only
def test_badges(tmp_path: Path) -> None:
    output = run(tmp_path, "badges.py --badges 5 --verifications 2")
    has(output, rf"redemptions, one after another +{RATE} +{MS} each")
    has(output, r"30 redeeming one session code at once +[\d.]+ s in all")
    primitives = (
        "RSA-2048 PKCS#1 v1.5 SHA-256 signature",
        "Ed25519 signature",
        "OB 2.0 JWS (RS256)",
        "OB 3.0 VC-JWT (RS256)",
        "eddsa-rdfc-2022 proof (canonicalise + sign)",
        "canonicalisation, as colbot does it",
        "JSON-LD expansion (cached contexts)",
        "RDFC-1.0 alone, PyLD",
        "RDFC-1.0 alone, pyoxigraph",
        "canonicalisation, PyLD as it comes (baseline)",
        "bake PNG (JWS + credential)",
    )
    for label in primitives:
        has(output, rf"{re.escape(label)} +{RATE} +{MS} each")
    has(output, rf"badges issued, all forms +{RATE} +{MS} each")
    has(output, rf"verifications \(OB 3\.0 proof, baked PNG\) +{RATE}")
    has(output, rf"verifications \(OB 3\.0 VC-JWT\) +{RATE}")
    beside = output[has(output, "Issuing beside its primitives").end() :]
    bounds = (
        "eddsa-rdfc-2022 proof (canonicalise + sign)",
        "Ed25519 signature",
        "canonicalisation, as colbot does it",
        "canonicalisation, PyLD as it comes (baseline)",
    )
    for label in bounds:
        has(beside, rf"{re.escape(label)} +{RATE} +\({RATIO}\)")
    has(output, rf"canonicalisation {RATIO} faster than PyLD as it comes")
    has(output, rf"target: at least 150 badges/s with all forms; measured {RATE}: {VERDICT}$")
    summary = json.loads(output[output.index("\n{") :])
    assert set(summary) == {
        "redemptions_per_s",
        "group_of_30_s",
        "primitives_per_s",
        "badges_per_s",
        "verifications_per_s",
    }
    assert len(summary["primitives_per_s"]) == len(primitives)
    assert set(summary["verifications_per_s"]) == {"baked PNG", "VC-JWT"}


@sqlite_only
def test_broadcast(tmp_path: Path) -> None:
    output = run(tmp_path, "broadcast.py --people 50 --paced-seconds 2")
    for label in ("engine only, lifted", "lifted", "25/s"):
        has(output, rf"^\[{re.escape(label)}\] queued 50 messages in [\d.]+ s$")
    # With the limit lifted every message is sent before the run ends, however slowly.
    for label in ("engine only, lifted", "lifted"):
        has(output, rf"^\[{re.escape(label)}\] sent 50 in [\d.]+ s: \d+ messages/s$")
    has(output, r"^\[25/s\] sent \d+ in [\d.]+ s: \d+ messages/s$")
    has(
        output,
        rf"^\[25/s\] achieved {RATE} \([+-][\d.]+% of the limit\); "
        r"busiest one-second window: \d+ \(limit 25\)$",
    )


@sqlite_only
def test_dashboard(tmp_path: Path) -> None:
    output = run(tmp_path, "dashboard.py --people 100 --runs 1 --folder", str(tmp_path / "data"))
    has(output, r"^building 100 young people and 0 -> 1,000 badges \(once\)$")
    has(
        output,
        r"^dashboard: 100 young people, 1,000 redemptions and badges, 10 opportunities, SQLite; "
        r"1 cold runs each:$",
    )
    for period in (r"default \(12 weeks\)", "two years"):
        has(
            output,
            rf"^  {period} +page median +{MS}, worst +{MS}; then its 7 charts +{MS} "
            r"\(target: page < 1000 ms\)$",
        )


@sqlite_only
def test_feeds(tmp_path: Path) -> None:
    output = run(tmp_path, "feeds.py --items 50 --pages 2")
    has(
        output,
        r"^first harvest: 50 items over 2 pages in [\d.]+ s \(\d+ items/s\): "
        r"3 pages read: 50 created, 0 updated, 0 unchanged",
    )
    has(output, rf"^incremental poll: {MS}: 2 pages read: 1 created, 0 updated")
    has(output, r"^database \(SQLite, with the demo city\): [\d.]+ MB$")


@sqlite_only
def test_journeys(tmp_path: Path) -> None:
    output = run(tmp_path, "journeys.py --people 50 --seconds 1 --folder", str(tmp_path / "data"))
    has(output, r"^building 50 young people and 500 badges \(once\)")
    has(output, r"^journey pages: 50 young people, 500 badges, SQLite; one server process")
    page = rf"req/s +p50 +{MS} +p99 +{MS} +{RATIO} bare +\([\d,]+ requests\)"
    has(output, rf"^  bare aiohttp handler +[\d,]+ {page}$")
    for name in ("first visits, unseen", "first visits, random", r"re-visits \(304\)"):
        has(output, rf"^  {name} +[\d,]+ {page} +{VERDICT}")
    has(
        output, r"^  target for pages: at least 0\.33x the bare handler's rate and p99 under 50 ms$"
    )
    for name in ("QR, never drawn", "QR, drawn before", r"QR re-fetch \(304\)"):
        has(output, rf"^  {name} +[\d,]+ {page}$")


def _load_rows(output: str, names: tuple[str, ...]) -> None:
    """Each run's row of the summary: every update sent, none lost or handled twice, no errors."""
    table = output[has(output, r"^\| run \| people \| updates \|").end() :]
    for name in names:
        row = rf"^\| {re.escape(name)} \| 3 \| 33 \| [\d,]+ \| {MS} \| {MS} \| 0 \|"
        has(table, row + (r" n/a \| n/a \|$" if name == "bare PTB echo bot" else r" 0 \| 0 \|$"))
    has(output, r"^3 young people, 11 updates each, 64 webhook connections$")


@sqlite_only
def test_load(tmp_path: Path) -> None:
    output = run(tmp_path, "load.py --people 3 --runs echo,sqlite")
    _load_rows(output, ("bare PTB echo bot", "colbot, 1 process, SQLite"))
    has(
        output,
        rf"^colbot, 1 process, SQLite: {RATIO} the bare echo bot \(target >= 0\.5x\): {VERDICT}$",
    )


@sqlite_only
def test_load_in_rounds_judges_the_median(tmp_path: Path) -> None:
    output = run(tmp_path, "load.py --people 3 --runs echo,sqlite --rounds 3")
    table = output[has(output, r"^\| run \| people \| updates \|").end() :]
    assert len(re.findall(r"^\| colbot, 1 process, SQLite \| 3 \| 33 \|", table, re.M)) == 3
    assert len(re.findall(r"^\| bare PTB echo bot \| 3 \| 33 \|", table, re.M)) == 3
    verdict = has(
        output,
        rf"^colbot, 1 process, SQLite: ([\d.]+)x the bare echo bot \(target >= 0\.5x\): "
        rf"{VERDICT} \(median of 3 rounds: ([\d.]+), ([\d.]+), ([\d.]+)\)$",
    )
    median, *each = (float(verdict.group(n)) for n in range(1, 5))
    assert median == sorted(each)[1]


@sqlite_only
def test_explore(tmp_path: Path) -> None:
    output = run(tmp_path, "explore.py --people 3")
    has(output, r"^3 young people, 64 webhook connections; one double, one run$")
    rates = rf"\| [\d,]+ \| [\d,.]+ \| {MS} \| {MS} \| {MS} \| {MS} \| {MS} \| {MS}"
    # Calls per /explore and per session, and errors, are counts: the same however fast.
    has(output, rf"^\| bare PTB echo bot {rates} \| 1\.0 \| 9\.0 \| 1\.0 \| [\d.]+ \| 0 \|$")
    has(output, rf"^\| colbot, cards {rates} \| 7\.0 \| 15\.0 \| 10\.0 \| [\d.]+ \| 0 \|$")
    has(output, rf"^\| colbot, paged {rates} \| 1\.0 \| 17\.0 \| 4\.0 \| [\d.]+ \| 0 \|$")
    for layout in ("cards", "paged"):
        has(output, rf"^{layout}: {RATIO} the echo bot's updates/s$")
    has(output, r"^paged / cards, Bot API calls per /explore: 0\.14x$")


@postgres_only
def test_load_on_postgres(tmp_path: Path) -> None:
    assert databases.TEST_DATABASE_URL is not None
    output = run(
        tmp_path, "load.py --people 3 --runs echo,pg1 --postgres", databases.TEST_DATABASE_URL
    )
    _load_rows(output, ("bare PTB echo bot", "colbot, 1 process, PostgreSQL"))
    has(
        output,
        rf"^colbot, 1 process, PostgreSQL: {RATIO} the bare echo bot \(target >= 0\.5x\): "
        rf"{VERDICT}$",
    )


@sqlite_only
def test_recommendations(tmp_path: Path) -> None:
    output = run(
        tmp_path, "recommendations.py --people 50 --samples 10 --folder", str(tmp_path / "data")
    )
    has(output, r"^building 10,000 opportunities and 50 young people \.\.\.$")
    has(
        output,
        r"^first page of recommendations, 10,000 opportunities, 50 young people, SQLite, "
        r"10 samples:$",
    )
    has(
        output,
        rf"^  p50 {MS} +p99 {MS} +mean {MS} +\(target p50 <= 5 ms, p99 <= 20 ms\)$",
    )
    has(
        output,
        r"^the same for 50 followers of 50 pathways, 10 samples "
        r"\(target: within 20% of without\):$",
    )
    for label in ("without", "with   "):
        has(output, rf"^  {label} pathways: p50 {MS} +p99 {MS} +mean {MS}$")
    has(output, rf"^  with / without: p50 {RATIO} +p99 {RATIO}$")


WEBCHAT_RUNS = {
    "webchat": "web chat (WebSocket)",
    "telegram": "Telegram (webhook, Bot API double)",
    "engine": "engine alone (in process)",
}


# One run each, so the three (each starting its own processes) take turns on the workers.
@sqlite_only
@pytest.mark.parametrize("which", WEBCHAT_RUNS)
def test_webchat(tmp_path: Path, which: str) -> None:
    output = run(tmp_path, f"webchat.py --sessions 5 --every 1 --duration 2 --runs {which}")
    has(output, r"^5 sessions, /help every 1 s each \(offered 5/s\)$")
    # Everyone speaks at least once in the run, and nothing is refused or lost.
    channel = re.escape(WEBCHAT_RUNS[which])
    found = has(output, rf"^\| {channel} \| [\d.]+ \| {MS} \| {MS} \| (\d+) \| 0 \|$")
    assert int(found[1]) >= 5, found[0]
    verdict = (
        rf"^web chat p99 {MS} \(target: 1,000 sessions, one message each every 10 s, "
        r"p99 < 1000 ms\): not measured$"
    )
    assert (re.search(verdict, output, re.MULTILINE) is not None) == (which == "webchat"), output


@pytest.mark.e2e
@postgres_only
@pytest.mark.skipif(
    shutil.which("caddy") is None, reason="needs Caddy on PATH (.ci/run installs it)"
)
def test_processes(tmp_path: Path) -> None:
    assert databases.TEST_DATABASE_URL is not None
    output = run(
        tmp_path,
        "processes.py --pages 10 --sessions 5 --duration 4 --postgres",
        databases.TEST_DATABASE_URL,
        hang_guard_s=PROCESSES_HANG_GUARD_S,
    )
    has(
        output,
        rf"^\| push from a fourth process to 10 pages on three \| {RATE} \| {MS} \| {MS} "
        r"\| 10 of 10 arrived, \d+ pushed on notice \|$",
    )
    for processes in ("1 process", "3 processes"):
        has(
            output,
            rf"^\| through Caddy, {processes} \| {RATE} \| {MS} \| {MS} \| 5 pages "
            r"\| 0 refused \|$",
        )
    has(output, rf"^three processes against one: {RATIO} the rate$")
    has(
        output,
        rf"^\| rolling restart of 3 under the load \| \d+ messages in \d+ s \| p50 {MS}, "
        rf"p99 {MS} \| lost 0, answered twice 0, \d+ reconnects, longest gap [\d.]+ s \|$",
    )
