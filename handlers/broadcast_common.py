"""What the notice flows share: who may send notices, the draft being composed, its words."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from bot.core.i18n import format_number
from bot.core.i18n import gettext as _
from bot.core.reply import Choice
from bot.services.broadcast import Audience, AudienceKind, Preview
from bot.services.identity import Role

STAFF = (Role.TEAM_LEAD, Role.VILLAGE_HEAD, Role.ADMIN)


class Draft(BaseModel):
    """The notice being composed, kept with the conversation."""

    village_ids: list[int] = Field(default_factory=list)
    kind: AudienceKind | None = None
    date_from: date | None = None
    date_to: date | None = None
    text: str = ""
    session_id: int | None = None
    with_replies: bool = False
    send_at: datetime | None = None
    moved: bool = False

    def audience(self) -> Audience:
        return Audience(
            village_ids=self.village_ids,
            kind=self.kind or AudienceKind.ALL,
            date_from=self.date_from,
            date_to=self.date_to,
        )


def cancel_choice() -> Choice:
    return Choice(_("Cancel"), "broadcast.cancel_draft")


def audience_words(draft: Draft) -> str:
    if draft.kind is AudienceKind.MISSING:
        return _("people still missing an ID card or a level 2 account")
    if draft.kind is AudienceKind.RETURNING and draft.date_from and draft.date_to:
        return _("fishermen coming in from {start} to {end}").format(
            start=draft.date_from.strftime("%d/%m"), end=draft.date_to.strftime("%d/%m")
        )
    return _("everyone")


def preview_lines(draft: Draft, counts: Preview, names: list[str]) -> list[str]:
    """The preview's words: the text, whom it reaches, who is left out, whether it asks back."""
    lines = [
        _("Preview:"),
        "",
        draft.text,
        "",
        _("To: {audience} in {villages}.").format(
            audience=audience_words(draft), villages=", ".join(names)
        ),
        _("{people} people: {with_chat} will get it in the chat.").format(
            people=format_number(counts.people), with_chat=format_number(counts.with_chat)
        ),
    ]
    if counts.without_chat:
        lines.append(
            _(
                "{without} have no chat ({households} households); "
                "the report will list them for a visit on foot."
            ).format(
                without=format_number(counts.without_chat),
                households=format_number(counts.households_without_chat),
            )
        )
    if counts.blocked:
        lines.append(
            _("{blocked} have blocked the bot or left the chat: they will not get it.").format(
                blocked=format_number(counts.blocked)
            )
        )
    if counts.exempt or counts.moved:
        lines.append(
            _("Not sent to {exempt} people marked exempt and {moved} marked moved away.").format(
                exempt=format_number(counts.exempt), moved=format_number(counts.moved)
            )
        )
    lines.append(_("Reply buttons: yes.") if draft.with_replies else _("Reply buttons: no."))
    return lines
