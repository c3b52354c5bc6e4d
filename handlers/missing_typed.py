"""The missing list by typing: names, households, pages and filters, and reasons typed out."""

from __future__ import annotations

import re

from bot.core.context import Context
from bot.core.i18n import gettext as _
from bot.core.reply import Choice
from bot.core.router import Router
from bot.core.text import fold
from bot.services import missing as service
from bot.services.missing import Filter, Mark, NotAllowed
from handlers.missing_common import (
    EXEMPT_OTHER,
    EXEMPT_REASON,
    LIST,
    PICK_MARK,
    PICK_PERSON,
    STAFF,
    View,
    ask_other_reason,
    choose_mark,
    save,
    show,
    status_names,
)
from handlers.privacy_common import CALL_WORDS, call_typed

router = Router("missing_typed")

_PAGE = re.compile(r"(?:trang|page|tr)\s*(\d{1,4})")
_NEXT = frozenset({"trang sau", "tiep", "tiep theo", "sau", "next", "trang tiep", "xem tiep"})
_PREVIOUS = frozenset({"trang truoc", "truoc", "quay lai trang truoc", "previous", "back"})
# Folded words that name a filter ("chỉ người đi biển" → at sea).
_FILTERS = (
    (("di bien", "tren bien", "vang nha", "di vang", "at sea", "away"), Filter.AT_SEA),
    (("chua co the", "chua the", "khong the", "no card", "no id card"), Filter.NO_CARD),
    (("muc 2", "muc do 2", "level 2", "dinh danh"), Filter.NO_LEVEL2),
    (("tren 70", "70 tuoi", "nguoi gia", "cao tuoi", "over 70"), Filter.OVER_70),
    (("tat ca", "moi nguoi", "everyone", "all"), Filter.ALL),
)
# Typed exempt reasons (folded words) → the stored reason; anything else is "other".
_REASONS = (
    (("chet", "mat", "qua doi", "tu vong", "dead", "died"), "dead"),
    (("nuoc ngoai", "xuat canh", "abroad", "dinh cu"), "abroad"),
    (("tu", "o tu", "di tu", "chap hanh an", "trai giam", "prison"), "prison"),
    (("nghia vu", "quan doi", "bo doi", "quan ngu", "army"), "army"),
)


@router.state(LIST, PICK_PERSON, roles=STAFF)
async def typed_in_list(ctx: Context) -> None:
    """A page ("trang 5", "trang sau"), a filter ("chỉ người đi biển"), or a search."""
    view = ctx.load(View)
    folded = ctx.folded.strip(" .!?")
    if folded in _NEXT or folded in _PREVIOUS:
        step = 1 if folded in _NEXT else -1
        await show(ctx, view.model_copy(update={"page": max(1, view.page + step)}))
        return
    if match := _PAGE.fullmatch(folded):
        await show(ctx, view.model_copy(update={"page": max(1, int(match[1]))}))
        return
    kind = _filter(folded)
    if kind is not None:
        await show(ctx, view.model_copy(update={"kind": kind, "page": 1}))
        return
    if folded.startswith(CALL_WORDS):  # "gọi Dũng": one phone shown, logged
        await call_typed(ctx)
        return
    await search(ctx, view, _strip_search(ctx.text))


def _strip_search(text: str) -> str:
    """ "tìm Nguyễn Văn Bình" → "Nguyễn Văn Bình" (the words kept as typed)."""
    words = text.strip().split()
    if words and fold(words[0]) in ("tim", "search", "find"):
        words = words[1:]
        if words and fold(words[0]) == "kiem":
            words = words[1:]
    return " ".join(words)


def _filter(folded: str) -> Filter | None:
    text = re.sub(r"^(?:chi|loc|chi hien|only|show)\s+(?:nguoi\s+)?", "", folded)
    for words, kind in _FILTERS:
        if text in words or (text != folded and any(w in text for w in words)):
            return kind
    return None


async def search(ctx: Context, view: View, query: str) -> None:
    """The people of the village matching the name or household typed, to pick one."""
    try:
        found = await service.search(ctx.tx, ctx.actor, view.village_id, query)
    except NotAllowed:
        ctx.end()
        ctx.reply(_("You cannot see that village."))
        return
    back = Choice(_("Back to the list"), "missing.page", view.value())
    if not found:
        ctx.go(LIST, view)
        ctx.reply(
            _(
                "Nobody in this village matches “{query}”. Type another name, or a household."
            ).format(query=query[:60]),
            choices=[back],
        )
        return
    ctx.go(PICK_PERSON, view)
    choices = [
        Choice(
            f"{p.full_name}"
            + (f" ({p.birth_year})" if p.birth_year else "")
            + f" · {p.household_code}"
            + (f" · {status_names().get(p.status, p.status)}" if p.status != "present" else ""),
            "missing.person",
            str(p.person_id),
        )
        for p in found
    ]
    ctx.reply(
        _("Found {n}. Pick the person to see or change their mark:").format(n=len(found)),
        choices=[*choices, back],
    )


# Typed answers to "what is the situation?" (folded words) → the button they stand for.
_MARKS = (
    (("co mat", "bo danh dau", "huy danh dau", "xoa danh dau", "o nha", "present"), "present"),
    (("chuyen di", "da chuyen di", "chuyen khau", "moved", "moved away"), "moved"),
    (("mien", "khach quan", "truong hop khach quan", "exempt"), "exempt"),
    (("vang", "di vang", "di bien", "di lam xa", "away", "at sea"), "away"),
)


@router.state(PICK_MARK, roles=STAFF)
async def typed_mark(ctx: Context) -> None:
    """ "chuyển đi", "có mặt", "miễn", "đi biển" typed instead of pressed."""
    folded = ctx.folded.strip(" .!?")
    for words, mark in _MARKS:
        if folded in words:
            await choose_mark(ctx, mark)
            return
    ctx.reply(
        _('Type "có mặt", "đi vắng", "chuyển đi" or "miễn", or pick a number from the list.')
    )


@router.state(EXEMPT_REASON, roles=STAFF)
async def typed_reason(ctx: Context) -> None:
    """A reason typed instead of picked: a known one is stored as such, any other as typed."""
    view = ctx.load(View)
    text = _without_label(ctx.text)
    folded = fold(text)
    if folded in ("khac", "ly do khac", "other", "other reason"):
        ask_other_reason(ctx, view)
        return
    words = f" {folded} "
    for names, reason in _REASONS:
        if any(f" {name} " in words for name in names):
            await save(ctx, view, Mark.EXEMPT, reason=reason, detail=None)
            return
    await save(ctx, view, Mark.EXEMPT, reason="other", detail=text)


@router.state(EXEMPT_OTHER, roles=STAFF)
async def typed_other_reason(ctx: Context) -> None:
    """The reason for "other", as typed ("lý do: đang đi tù" keeps "đang đi tù")."""
    view = ctx.load(View)
    text = _without_label(ctx.text)
    if len(text) < 2:
        ctx.reply(_("What is the reason? Type it in a few words, for example: in prison."))
        return
    await save(ctx, view, Mark.EXEMPT, reason="other", detail=text)


def _without_label(text: str) -> str:
    """ "Lý do: đang đi tù" → "đang đi tù"; text without the label is kept as it is."""
    words = text.strip().split()
    for size in (2, 1):
        head = fold(" ".join(words[:size])).rstrip(":")
        if head in ("ly do", "li do", "reason", "vi"):
            rest = " ".join(words[size:])
            return rest.lstrip(":- ").strip()
    return text.strip().lstrip(":- ").strip()
