"""`troly06 ask` and `troly06 faq check|reload|unanswered`: the FAQ from the command line.

`troly06 ask "câu hỏi"` prints the answer the chat would give. `troly06 ask --jsonl` reads one
question a line from stdin and writes {"question", "topic" (null = out of scope), "score"}.
`troly06 faq reload` checks the knowledge base file and marks it changed: a running bot
re-reads a changed file on its next question (a broken one is refused, the old base stays).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import TextIO

from bot.app import build_app
from bot.config import Settings
from bot.core.i18n import format_datetime, use_locale
from bot.core.i18n import gettext as _
from bot.services.faq import Faq, KnowledgeError, Verdict
from bot.services.faq import unanswered as unanswered_log
from bot.services.faq.store import FaqStore, check_file, configured_path, touch


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    ask = sub.add_parser("ask", help="answer a question from the FAQ knowledge base")
    ask.add_argument("question", nargs="?", help="the question, in quotes")
    ask.add_argument("--jsonl", action="store_true", help="one question a line on stdin")
    ask.add_argument("--file", type=Path, help="another knowledge base file")
    ask.set_defaults(func=run_ask)

    faq = sub.add_parser("faq", help="check or reload the FAQ knowledge base")
    steps = faq.add_subparsers(dest="step", required=True)
    check = steps.add_parser("check", help="check a knowledge base file without using it")
    check.add_argument("file", type=Path)
    check.set_defaults(func=run_check)
    reload = steps.add_parser("reload", help="check the file in use and make the bot re-read it")
    reload.set_defaults(func=run_reload)
    unanswered = steps.add_parser("unanswered", help="the latest questions it could not answer")
    unanswered.add_argument("--limit", type=int, default=50)
    unanswered.set_defaults(func=lambda args: asyncio.run(show_unanswered(args.limit)))


def _faq(path: Path | None) -> Faq:
    return FaqStore(path or configured_path()).current()


def verdict_of(faq: Faq, question: str) -> dict[str, object]:
    """The jsonl record of one question: topic is None when it is out of scope."""
    match = faq.matcher.match(question)
    topic = match.topic if match.verdict in (Verdict.ANSWER, Verdict.ASK) else None
    return {"question": question, "topic": topic, "score": round(match.score, 4)}


def answer_lines(faq: Faq, question: str) -> list[str]:
    """What the chat would answer, as text."""
    match = faq.matcher.match(question)
    if match.verdict is Verdict.ANSWER and match.topic:
        topic = faq.kb.topic(match.topic)
        if topic:
            return [topic.title, "", topic.answer, "", *topic.sources]
    if match.verdict is Verdict.ASK:
        titles = {t.id: t.title for t in faq.kb.topics}
        return [
            _("I am not sure I understood. Is your question about one of these?"),
            *(
                f"{n}. {titles[tid]} ({score:.2f})"
                for n, (tid, score) in enumerate(match.candidates, start=1)
            ),
        ]
    return [_("Out of scope: this is not a question about VNeID or the ID card.")]


def stream_jsonl(faq: Faq, source: TextIO, sink: TextIO) -> int:
    """Answer every non-empty line of `source`; returns how many were answered."""
    count = 0
    for line in source:
        question = line.strip()
        if question:
            sink.write(json.dumps(verdict_of(faq, question), ensure_ascii=False) + "\n")
            count += 1
    return count


def run_ask(args: argparse.Namespace) -> int:
    with use_locale("vi"):
        try:
            faq = _faq(args.file)
        except KnowledgeError as exc:
            print(_("The FAQ file cannot be used: {reason}").format(reason=exc), file=sys.stderr)
            return 1
        if args.jsonl:
            stream_jsonl(faq, sys.stdin, sys.stdout)
            return 0
        if not args.question:
            print(_("Give a question in quotes, or --jsonl to read stdin."), file=sys.stderr)
            return 2
        print("\n".join(answer_lines(faq, args.question)))
    return 0


def run_check(args: argparse.Namespace) -> int:
    with use_locale("vi"):
        try:
            kb = check_file(args.file)
        except KnowledgeError as exc:
            print(_("Refused: {reason}").format(reason=exc), file=sys.stderr)
            return 1
        print(_("OK: {count} topics.").format(count=len(kb.topics)))
    return 0


def run_reload(args: argparse.Namespace) -> int:
    path = configured_path()
    with use_locale("vi"):
        try:
            kb = check_file(path)
        except KnowledgeError as exc:
            print(
                _("Refused: {reason}. The bot keeps the knowledge base it has.").format(
                    reason=exc
                ),
                file=sys.stderr,
            )
            return 1
        touch(path)
        print(
            _("OK: {count} topics. The bot uses them from its next question.").format(
                count=len(kb.topics)
            )
        )
    return 0


async def show_unanswered(limit: int) -> int:
    app = await build_app(Settings())
    try:
        async with app.db.read() as tx:
            kept, total = await unanswered_log.latest(tx, max(1, limit))
    finally:
        await app.close()
    with use_locale("vi"):
        print(_("Unanswered questions: {total} kept.").format(total=total))
        for row in kept:
            print(
                f"{format_datetime(row.asked_at, 'yyyy-MM-dd HH:mm')}\t{row.guess or '-'}\t"
                f"{row.score:.2f}\t{row.question}"
            )
    return 0
