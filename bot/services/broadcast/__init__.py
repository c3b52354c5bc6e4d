"""Broadcasts: audiences within the author's villages, sending through the outbox, replies, report.

A broadcast is written once (`create`): the audience is snapshotted and every recipient with
a chat gets one outbox row (key "broadcast:<id>:<user>", `not_before` = the scheduled time),
all in the caller's transaction, so the sender delivers each at most once and resumes after
a crash. The report goes out when no row of the broadcast is waiting any more: `finish_due`
finds those; `ReportWatcher` calls it every half minute and `/broadcast_status` calls it too.

Modules: audience (who), timing (when), compose (write and queue), replies, report.
"""

from bot.services.broadcast.audience import (
    Audience,
    AudienceKind,
    OutOfScope,
    Preview,
    preview,
    village_names,
    villages_for,
)
from bot.services.broadcast.compose import (
    REPLY_ACTION,
    Created,
    cancel,
    create,
    may_stop,
    session_text,
    sessions_to_announce,
)
from bot.services.broadcast.replies import Answer, ReplyOutcome, record_reply, reply_line
from bot.services.broadcast.report import (
    FILE_ACTION,
    ReportWatcher,
    Status,
    audience_of,
    find_visible,
    finish_due,
    may_see,
    not_reached_for,
    report_csv,
    report_text,
    status,
    status_name,
    status_text,
    visible_recent,
)
from bot.services.broadcast.timing import (
    RangeError,
    WhenError,
    out_of_quiet_hours,
    parse_range,
    parse_when,
)
from bot.storage.broadcast import BroadcastRow, NotReachedRow

__all__ = [
    "FILE_ACTION",
    "REPLY_ACTION",
    "Answer",
    "Audience",
    "AudienceKind",
    "BroadcastRow",
    "Created",
    "NotReachedRow",
    "OutOfScope",
    "Preview",
    "RangeError",
    "ReplyOutcome",
    "ReportWatcher",
    "Status",
    "WhenError",
    "audience_of",
    "cancel",
    "create",
    "find_visible",
    "finish_due",
    "may_see",
    "may_stop",
    "not_reached_for",
    "out_of_quiet_hours",
    "parse_range",
    "parse_when",
    "preview",
    "record_reply",
    "reply_line",
    "report_csv",
    "report_text",
    "session_text",
    "sessions_to_announce",
    "status",
    "status_name",
    "status_text",
    "village_names",
    "villages_for",
    "visible_recent",
]
