"""A big roster file sent in the chat shows how far the import is: edited on Telegram, a line
every 20% on the console."""

from __future__ import annotations

import io
import re
from pathlib import Path

from bot.app import App
from bot.channels.console import ConsoleChannel
from bot.core.inbound import Inbound
from bot.services import identity
from bot.services.identity import Role
from bot.services.roster_import.uploads import SHOW_PROGRESS_BYTES
from bot.testing import telegram_updates as tg
from bot.testing.telegram_api import FakeTelegram
from tests.telegram.conftest import TelegramChat
from tests.telegram.test_edit_in_place import actor_of_chat

HEADER = "Xã,Thôn,Hộ,Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Tàu,Thẻ căn cước,Ghi chú"
GIVEN = ("An", "Bình", "Cường", "Dũng", "Hải", "Lan", "Mai", "Nam", "Phúc", "Quang")


def big_roster(rows: int = 2600) -> bytes:
    lines = [HEADER]
    for n in range(rows):
        name = f"Nguyễn {GIVEN[n % 10]} {GIVEN[(n // 10) % 10]} {GIVEN[(n // 100) % 10]}"
        born = f"{1 + n % 28:02d}/{1 + n % 12:02d}/{1950 + n % 50}"
        lines.append(f"Vạn Thạnh,Đầm Môn,TD{n // 4},{name},{born},Nam,,,có,thêm")
    data = ("\n".join(lines) + "\n").encode("utf-8-sig")
    assert len(data) >= SHOW_PROGRESS_BYTES
    return data


def percents(texts: list[str]) -> list[int]:
    return [int(m.group(1)) for t in texts for m in [re.search(r"(\d+)%$", t)] if m]


async def test_a_big_file_on_telegram_shows_its_progress_in_one_edited_message(
    tchat: TelegramChat, fake_api: FakeTelegram, demo_app: App
) -> None:
    await tchat.say("/start")
    user_id = await actor_of_chat(tchat)
    async with demo_app.db.write() as tx:
        await identity.grant(tx, user_id, Role.ADMIN, demo_app.clock.now())
    fake_api.add_file("big-roster", big_roster())
    await tchat.send(tg.document(tchat.user_id, "big-roster", "ds.csv", 200_000), replies=2)
    await fake_api.wait_for(
        lambda: any("Xem trước" in s.text for s in fake_api.sent_to(tchat.user_id)), 60
    )

    sent = fake_api.sent_to(tchat.user_id)
    [shown] = [s for s in sent if s.text.startswith("Đang kiểm tra tệp danh sách")]
    edits = [e.text for e in fake_api.edits_to(tchat.user_id) if e.message_id == shown.message_id]
    steps = percents([shown.text, *edits])
    assert steps == sorted(steps) and len(steps) >= 3  # one message, its share growing
    assert sent.index(shown) < next(i for i, s in enumerate(sent) if "Xem trước" in s.text)


async def test_a_big_file_on_the_console_prints_a_line_every_20_percent(
    demo_app: App, tmp_path: Path
) -> None:
    out = io.StringIO()
    console = ConsoleChannel(demo_app.dispatcher, "admin-1", out=out, files_dir=tmp_path)
    async with demo_app.db.write() as tx:
        actor = await identity.resolve(
            tx,
            Inbound(channel="console", chat_id="admin-1", user_id="admin-1"),
            demo_app.clock.now(),
        )
        await identity.grant(tx, actor.user_id, Role.ADMIN, demo_app.clock.now())
    path = tmp_path / "ds.csv"
    path.write_bytes(big_roster())

    replies = await console.say(f"#file {path}")

    assert replies[0].text.startswith("Xem trước tệp danh sách")
    lines = [line for line in out.getvalue().splitlines() if "Đang kiểm tra" in line]
    assert percents(lines) == [20, 40, 60, 80, 100]
