"""What the core hands a channel to show: text, choices, a picture or a file."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Choice:
    """One option the user can pick.

    `action` names the handler that runs when it is picked and `value` is its small payload
    (an id). Both stay on the server: the channel only ever sees `key`, which the core fills in.
    `meaning` says what the option stands for (bot/core/understand/meaning.py: yes, no, a day,
    a time, a number), so that a typed "ừ", "thứ 4" or "8h30" picks it.
    """

    label: str
    action: str
    value: str = ""
    key: str = ""
    meaning: str = ""


@dataclass(frozen=True)
class Attachment:
    """A picture or a document to send with a reply."""

    filename: str
    data: bytes
    mime_type: str = "application/octet-stream"


@dataclass(frozen=True)
class Reply:
    """One message to the user.

    Channels render `choices` as buttons where they can and as a numbered list elsewhere.
    `edit`: this reply answers a button press with the same list changed (a toggle, another
    page), so it replaces the message that carried the button where the channel can edit;
    elsewhere it is sent. `notice`: a short word about the press itself (an expired button),
    shown as the button's own answer where the channel has one, else sent as text.
    """

    text: str = ""
    choices: tuple[Choice, ...] = ()
    photo: Attachment | None = None
    document: Attachment | None = None
    request_phone: bool = False
    edit: bool = False
    notice: bool = False
