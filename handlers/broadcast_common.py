"""What the notice flows share: who may send notices, the draft being composed, its words."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from bot.core.i18n import gettext as _
from bot.core.reply import Choice
from bot.services.broadcast import Audience, AudienceKind
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
