"""The README's promises as real processes: serve starts and stops, chat holds a conversation."""

from __future__ import annotations

import asyncio
import signal
import socket
from pathlib import Path

import aiohttp

from tests.support import databases
from tests.support.demo import free_port
from tests.support.process import colbot_env, start_colbot, wait_healthy


async def test_serve_without_a_token_serves_the_web_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    env = colbot_env(tmp_path / "data", {"COLBOT_PORT": str(port)})
    process = await start_colbot("serve", "--demo", env=env)
    await wait_healthy(port, process)
    async with aiohttp.ClientSession() as client:
        async with client.get(f"http://127.0.0.1:{port}/healthz") as response:
            assert await response.json() == {"status": "ok"}
        async with client.get(f"http://127.0.0.1:{port}/") as response:
            front = await response.text()
            assert response.status == 200 and 'href="/chat"' in front and "Kensalfield" in front
        async with client.post(f"http://127.0.0.1:{port}/telegram/webhook", json={}) as response:
            assert response.status in {404, 405}
        async with client.get(f"http://127.0.0.1:{port}/readyz") as response:
            assert (await response.json())["processes"] == "alone"
    status = await start_colbot("status", env=env)
    out, _ = await asyncio.wait_for(status.communicate(), 30)
    expected = "Processes alive: 1" if databases.ON_POSTGRES else "SQLite is for one process"
    assert expected in out.decode() and "Outbox: 0 waiting" in out.decode(), out.decode()
    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), 20)
    log = stderr.decode()
    assert process.returncode == 0, log
    assert "COLBOT_TELEGRAM_TOKEN" in log
    assert "stopped cleanly" in log
    local = f"http://127.0.0.1:{port}"
    assert f"health check {local}/healthz, web chat {local}/chat" in log
    assert databases.ON_POSTGRES or (tmp_path / "data" / "colbot.sqlite3").exists()


async def test_a_bad_setting_stops_the_start_with_one_line(tmp_path: Path) -> None:
    env = colbot_env(tmp_path / "data", {"COLBOT_PORT": "eighty"})
    process = await start_colbot("serve", env=env)
    _, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 2
    lines = stderr.decode().strip().splitlines()
    assert lines == ["colbot: COLBOT_PORT must be a whole number from 1 to 65535, not 'eighty'"]


async def test_chat_through_a_pipe_holds_a_conversation(tmp_path: Path) -> None:
    env = colbot_env(tmp_path / "data")
    script = "/start\n1\n15\nRobin\nKF2\n4\nfootball, beats\ndone\n2\ndone\nno\n/help\n"
    process = await start_colbot("chat", "--demo", "--as", "robin", env=env)
    stdout, stderr = await asyncio.wait_for(process.communicate(script.encode()), 60)
    assert process.returncode == 0, stderr.decode()
    out = stdout.decode()
    assert "I'm colbot" in out
    assert "What should I call you" in out
    assert "Nice! I've added: ⚽ Sport, 🎵 Music" in out
    assert "All done, Robin" in out
    assert "Because you like" in out
    assert "/explore" in out.split("> /help", 1)[1]


async def test_chat_resumes_after_the_process_ends(tmp_path: Path) -> None:
    env = colbot_env(tmp_path / "data")
    first = await start_colbot("chat", "--demo", "--as", "kai", env=env)
    await asyncio.wait_for(first.communicate(b"/start\n1\n16\n"), 60)
    second = await start_colbot("chat", "--as", "kai", env=env)
    stdout, _ = await asyncio.wait_for(second.communicate(b"/start\n"), 60)
    out = stdout.decode()
    assert "Welcome back" in out and "What should I call you" in out


async def test_chat_saves_pictures_and_files_and_prints_where(tmp_path: Path) -> None:
    env = colbot_env(tmp_path / "data")
    files = tmp_path / "my files"
    process = await start_colbot("chat", "--demo", "--as", "robin", "--files", str(files), env=env)
    stdout, stderr = await asyncio.wait_for(process.communicate(b"/mydata\n/mydata\n"), 60)
    assert process.returncode == 0, stderr.decode()
    saved = [
        Path(line.split("(saved: ", 1)[1].rstrip(")"))
        for line in stdout.decode().splitlines()
        if "(saved: " in line
    ]
    assert len(saved) == 2 and len(set(saved)) == 2  # the second never overwrites the first
    assert all(path.parent == files and path.read_bytes().startswith(b"{") for path in saved)


async def test_db_upgrade_and_status(tmp_path: Path) -> None:
    env = colbot_env(tmp_path / "data")
    process = await start_colbot("db", "upgrade", env=env)
    stdout, _ = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0 and "up to date" in stdout.decode()
    process = await start_colbot("db", "status", env=env)
    stdout, _ = await asyncio.wait_for(process.communicate(), 30)
    assert "up to date" in stdout.decode()


async def test_partners_add_list_and_invite_through_the_cli(tmp_path: Path) -> None:
    env = colbot_env(tmp_path / "data")
    process = await start_colbot(
        "partners",
        "add",
        "Kensalfield Climbing Wall",
        "--website",
        "https://climb.example.org",
        "--email",
        "hello@climb.example.org",
        env=env,
    )
    stdout, _ = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0 and "Kensalfield Climbing Wall is ready" in stdout.decode()
    process = await start_colbot("partners", "add", "Bad", "--website", "climb", env=env)
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2 and "--website" in stderr.decode()
    process = await start_colbot("partners", "list", env=env)
    stdout, _ = await asyncio.wait_for(process.communicate(), 30)
    assert "Kensalfield Climbing Wall (id kensalfield-climbing-wall) · 0 staff" in stdout.decode()
    # With Telegram off, the invite is a web chat link: no token, no t.me.
    process = await start_colbot("partners", "invite", "Kensalfield Climbing Wall", env=env)
    stdout, _ = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0
    web_chat = stdout.decode().strip().splitlines()[-1]
    assert web_chat.startswith("Web chat: http://127.0.0.1:") and "/chat?start=i_" in web_chat
    assert "t.me" not in stdout.decode()
    process = await start_colbot(
        "partners", "invite", "kensalfield-climbing-wall", "--bot", "kfcol_bot", env=env
    )
    stdout, _ = await asyncio.wait_for(process.communicate(), 30)
    lines = stdout.decode().strip().splitlines()
    assert process.returncode == 0
    payload = lines[-2].rpartition("?start=")[2]
    assert (
        payload.startswith("i_")
        and lines[-1] == f"Telegram: https://t.me/kfcol_bot?start={payload}"
    )
    process = await start_colbot(
        "partners", "invite", "kensalfield-climbing-wall", "--bot", "kf bot!", env=env
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2 and "is not a Telegram bot name" in stderr.decode()
    # Looks like a name, but Telegram's bot names all end in "bot": it says what one looks like.
    process = await start_colbot(
        "partners", "invite", "kensalfield-climbing-wall", "--bot", "kfcol", env=env
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    lines = stderr.decode().strip().splitlines()
    assert process.returncode == 2 and len(lines) == 1, lines
    assert "'kfcol' is not a Telegram bot name" in lines[0] and "ends in bot" in lines[0]
    assert "like KensalfieldBot" in lines[0]


async def test_serve_on_a_port_in_use_ends_with_one_line_and_a_hint(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = colbot_env(tmp_path / "data", {"COLBOT_PORT": str(port)})
        process = await start_colbot("serve", env=env)
        _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 1
    lines = [line for line in stderr.decode().splitlines() if line.startswith("colbot:")]
    assert "Traceback" not in stderr.decode(), stderr.decode()
    assert lines == [
        f"colbot: port {port} on 127.0.0.1 is already in use (is colbot already running?); "
        f"stop the other program, or choose a free port, e.g. COLBOT_PORT={port + 1}"
    ]


async def test_backup_to_a_missing_folder_ends_with_one_line_and_a_hint(tmp_path: Path) -> None:
    env = colbot_env(tmp_path / "data")
    process = await start_colbot("db", "upgrade", env=env)
    await asyncio.wait_for(process.communicate(), 60)
    missing = tmp_path / "no such folder"
    process = await start_colbot("db", "backup", str(missing / "colbot.backup"), env=env)
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 1
    assert "Traceback" not in stderr.decode(), stderr.decode()
    assert stderr.decode().strip().splitlines()[-1] == (
        f"colbot: the folder {missing} does not exist; make it first "
        f"(mkdir -p {missing}) or choose a file in a folder that does"
    )
    assert not missing.exists()
