"""The VNeID FAQ in the chat: any free question (the catch-all router, listed last), the
closest topics when unsure, "not my area" outside the field, and the admin's tools.

Answers come in the user's language, or in English when the question is written in English;
a message that asks two things gets both answers."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from urllib.parse import urlsplit

from bot.core.context import Context
from bot.core.i18n import (
    current_locale,
    format_date,
    format_datetime,
    format_number,
    lazy_gettext,
    use_locale,
)
from bot.core.i18n import gettext as _
from bot.core.reply import Choice
from bot.core.router import Router
from bot.services.faq import Faq, KnowledgeError, Topic, Verdict, default_store
from bot.services.faq import unanswered as unanswered_log
from bot.services.faq.language import is_english
from bot.services.identity import Role

logger = logging.getLogger(__name__)

router = Router("faq")
router.menu(lazy_gettext("Ask a question about VNeID"), "faq.ask", order=20)

POPULAR = ("level2_register", "documents_needed", "activate_account", "otp_not_received")
UNANSWERED_SHOWN = 15
QUESTION_SHOWN_CHARS = 120


def _current(ctx: Context) -> Faq | None:
    """The knowledge base in use, or None after telling the user whom to call."""
    try:
        return default_store(ctx.settings.faq_file).current()
    except KnowledgeError:
        logger.error("no usable faq knowledge base")
        ctx.main_menu(
            _(
                "The questions and answers are not available right now. "
                "Please call {hotline} or ask the commune police."
            ).format(hotline=ctx.settings.hotline)
        )
        return None


def _answer(ctx: Context, topic: Topic) -> None:
    """Replies with the topic's answer, its source, and the flow it leads to if there is one."""
    source = _("Source: {site}, checked on {day}.").format(
        site=urlsplit(topic.sources[0]).hostname or topic.sources[0],
        day=format_date(topic.last_checked, "dd/MM/yyyy"),
    )
    offer = bool(topic.action_label) and ctx.offers(topic.action or "")
    choices = [Choice(topic.action_label, topic.action)] if offer else []  # type: ignore[arg-type]
    ctx.reply(f"{topic.title}\n\n{topic.answer}\n\n{source}", choices=choices)


def _not_my_area(ctx: Context) -> None:
    ctx.main_menu(
        _(
            "Sorry, that is outside what I can help with: I answer questions about VNeID "
            "accounts and the ID card (thẻ căn cước) and help you book a visit. For other "
            "matters, please ask the commune police or the commune office. "
            "VNeID hotline: {hotline}."
        ).format(hotline=ctx.settings.hotline)
    )


def _language(question: str) -> str:
    """The user's language, or English for a question written in English."""
    return "en" if current_locale() == "en" or is_english(question) else current_locale()


@contextlib.contextmanager
def _speaking(lang: str) -> Iterator[None]:
    if lang == current_locale():
        yield
        return
    with use_locale(lang):
        yield


@router.text(lambda folded: True, public=True)
async def answer_question(ctx: Context) -> None:
    """Answers a free question, asks back with the closest topics, or says it is not ours."""
    faq = _current(ctx)
    if faq is None:
        return
    match = faq.matcher.match(ctx.text)
    logger.info("faq: verdict=%s topic=%s score=%.3f", match.verdict, match.topic, match.score)
    lang = _language(ctx.text)
    with _speaking(lang):
        if match.verdict is Verdict.SMALLTALK:
            ctx.main_menu(
                _("Hello! Type your question about VNeID or the ID card, or pick from the menu.")
            )
            return
        if match.verdict is Verdict.ANSWER and match.topic:
            topics = [faq.topic(tid, lang) for tid in (match.topic, *match.also)]
            found = [t for t in topics if t is not None]
            if found:
                for topic in found:
                    _answer(ctx, topic)
                return
        await unanswered_log.record(ctx.tx, ctx.text, match, ctx.now())
        if match.verdict is Verdict.ASK:
            titles = faq.titles(lang)
            tag = "@en" if lang == "en" else ""
            choices = [
                Choice(titles[tid], "faq.topic", tid + tag) for tid, _score in match.candidates
            ]
            ctx.reply(
                _("I am not sure I understood. Is your question about one of these?"),
                choices=[*choices, Choice(_("None of these"), "faq.none")],
            )
            return
        _not_my_area(ctx)


@router.aside()
async def answer_aside(ctx: Context) -> bool:
    """Answers a question typed in the middle of a flow, when the answer is clear; the core
    then asks the interrupted step again."""
    try:
        faq = default_store(ctx.settings.faq_file).current()
    except KnowledgeError:
        return False
    match = faq.matcher.match(ctx.text)
    topic = faq.kb.topic(match.topic) if match.verdict is Verdict.ANSWER and match.topic else None
    if topic is None:
        return False
    _answer(ctx, topic)
    return True


@router.action("faq.ask")
async def invite_question(ctx: Context) -> None:
    """Asks for a question in the user's own words and offers the most asked topics."""
    faq = _current(ctx)
    if faq is None:
        return
    popular = [t for t in (faq.topic(tid, current_locale()) for tid in POPULAR) if t is not None]
    ctx.reply(
        _(
            "Type your question in your own words, with or without accents "
            '(for example: "quen mat khau vneid"). Or pick a common question:'
        ),
        choices=[Choice(t.title, "faq.topic", t.id) for t in popular],
    )


@router.action("faq.topic", public=True)
async def answer_picked(ctx: Context) -> None:
    """Answers the topic picked from a list."""
    assert ctx.choice is not None
    faq = _current(ctx)
    if faq is None:
        return
    topic_id, _tag, lang = ctx.choice.value.partition("@")
    topic = faq.topic(topic_id, lang or current_locale())
    if topic is None:
        ctx.main_menu(_("That question is no longer in the list. Please ask it again."))
        return
    with _speaking(lang or current_locale()):
        _answer(ctx, topic)


@router.action("faq.none", public=True)
async def none_of_these(ctx: Context) -> None:
    """Says whom to ask when none of the offered topics fits."""
    ctx.main_menu(
        _(
            "Sorry that I could not help. Try asking in other words, or ask the commune "
            "police or the Project 06 team. VNeID hotline: {hotline}."
        ).format(hotline=ctx.settings.hotline)
    )


@router.command("faq_reload", roles=[Role.ADMIN])
async def reload_knowledge(ctx: Context) -> None:
    """Re-reads the knowledge base file; a broken file is refused and the old base stays."""
    result = default_store(ctx.settings.faq_file).reload()
    if result.ok:
        ctx.reply(_("FAQ reloaded: {count} topics.").format(count=result.topics))
        return
    ctx.reply(
        _(
            "The FAQ file was refused: {reason}\n"
            "The knowledge base in use stays as it was ({count} topics)."
        ).format(reason=result.error, count=result.topics)
    )


@router.command("unanswered", roles=[Role.ADMIN])
async def list_unanswered(ctx: Context) -> None:
    """Lists the latest questions the FAQ could not answer (text and time only)."""
    kept, total = await unanswered_log.latest(ctx.tx, UNANSWERED_SHOWN)
    if not kept:
        ctx.reply(_("No unanswered questions so far."))
        return
    try:
        titles = {t.id: t.title for t in default_store(ctx.settings.faq_file).current().kb.topics}
    except KnowledgeError:
        titles = {}
    lines = [
        _("Unanswered questions: {total} kept, the latest {shown}:").format(
            total=total, shown=len(kept)
        )
    ]
    for number, row in enumerate(kept, start=1):
        question = row.question[:QUESTION_SHOWN_CHARS]
        closest = titles.get(row.guess or "", "—")
        lines.append(
            _("{number}. {time}: «{question}» (closest: {topic}, {score})").format(
                number=number,
                time=format_datetime(row.asked_at, "dd/MM HH:mm"),
                question=question,
                topic=closest,
                score=format_number(round(row.score, 2)),
            )
        )
    ctx.reply("\n".join(lines))
