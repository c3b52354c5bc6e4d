"""What a message's replies offer: a stored key for each choice, the menu typed numbers pick
from, and the prompt a step is asked again with."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.core.context import Context
from bot.core.inbound import Kind
from bot.core.keys import new_choice_key
from bot.core.reply import Reply
from bot.storage import conversations
from bot.storage.conversations import StoredChoice


async def attach_keys(ctx: Context, now: datetime) -> list[Reply]:
    """Give every offered choice an opaque key, stored server-side for this identity.

    A button press answered with a list that offers the pressed action again (a toggle,
    a page, a filter) answers with that list changed: the reply is marked to edit the
    message that carried the button, on channels that can.
    """
    out: list[Reply] = []
    last_keys: list[str] | None = None
    pressed = ctx.choice.action if ctx.inbound.kind is Kind.CHOICE and ctx.choice else ""
    for reply in ctx.replies:
        if pressed and any(c.action == pressed for c in reply.choices):
            reply = replace(reply, edit=True)  # the same list, changed: edit it in place
            pressed = ""
        if reply.choices:
            keyed = tuple(replace(c, key=new_choice_key()) for c in reply.choices)
            await conversations.add_choices(
                ctx.tx,
                [
                    StoredChoice(
                        c.key, ctx.actor.identity_id, c.action, c.value, c.label, c.meaning
                    )
                    for c in keyed
                ],
                now,
            )
            last_keys = [c.key for c in keyed]
            reply = replace(reply, choices=keyed)
        out.append(reply)
    shown = [r for r in ctx.replies if not r.notice]  # a notice asks nothing
    if ctx.inbound.is_group:
        pass  # a group's buttons never replace the member's private menu
    elif last_keys is not None:
        ctx.convo.menu_keys = last_keys
    elif ctx.state is not None and shown:
        ctx.convo.menu_keys = []  # the flow asked for free text: "3" is an answer, not a pick
    if ctx.state is None:
        ctx.convo.prompt = ""
    elif not ctx.reasked and shown:
        asking = [r for r in shown if r.choices] or [r for r in shown if r.text]
        if asking:
            ctx.convo.prompt = asking[-1].text
    return out
