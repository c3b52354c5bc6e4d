"""Places, people, chat users, roles, invites, conversations, choices and the outbox."""

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from bot.storage.tables import metadata
from bot.storage.types import UtcDateTime

communes = Table(
    "communes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(120), nullable=False),
    Column("province", String(120), nullable=False, server_default=""),
    Column("target_share", Integer, nullable=True),  # per mille of eligible people, e.g. 950
    UniqueConstraint("province", "name"),
)

villages = Table(
    "villages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("commune_id", ForeignKey("communes.id"), nullable=False),
    Column("name", String(120), nullable=False),
    Column("is_island", Boolean, nullable=False, server_default="0"),
    UniqueConstraint("commune_id", "name"),
)

households = Table(
    "households",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("village_id", ForeignKey("villages.id"), nullable=False),
    Column("code", String(40), nullable=False),
    Column("address", String(200), nullable=False, server_default=""),
    UniqueConstraint("village_id", "code"),
)

boats = Table(
    "boats",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("registration", String(40), nullable=False, unique=True),  # e.g. KH-91234-TS
    Column("village_id", ForeignKey("villages.id"), nullable=True),
    Column("return_on", Date, nullable=True),
)

persons = Table(
    "persons",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("household_id", ForeignKey("households.id"), nullable=False),
    Column("full_name", String(120), nullable=False),
    Column("birth_date", Date, nullable=True),
    Column("birth_year", Integer, nullable=True),
    Column("sex", String(1), nullable=True),  # "M" / "F"
    Column("phone", String(15), nullable=True),  # normalised 0XXXXXXXXX
    Column("boat_id", ForeignKey("boats.id"), nullable=True),
    Column("has_id_card", Boolean, nullable=False, server_default="0"),
    Column("has_eid_level2", Boolean, nullable=False, server_default="0"),
    Column("id_card_applied_at", UtcDateTime, nullable=True),  # added by 0003_booking
    # present | away | moved | exempt
    Column("status", String(10), nullable=False, server_default="present"),
    Column("away_until", Date, nullable=True),
    Column("exempt_reason", String(20), nullable=True),
    Column("note", String(300), nullable=False, server_default=""),
    Column("updated_at", UtcDateTime, nullable=True),
    # added by 0005b_roster_marks: số định danh cá nhân (12 digits), who set the status, when
    Column("id_number", String(12), nullable=True),
    Column("marked_by", Integer, nullable=True),
    Column("marked_at", UtcDateTime, nullable=True),
    Column("exempt_detail", String(200), nullable=True),  # added by 0005c: "other" typed out
    # added by 0016: the household's village, copied by a trigger (never written by the code)
    Column("village_id", Integer, nullable=True),
    Index("ix_persons_household", "household_id"),
    Index("ix_persons_phone", "phone"),
    Index("ix_persons_boat", "boat_id"),
    Index("ix_persons_id_number", "id_number", unique=True),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", ForeignKey("persons.id"), nullable=True, unique=True),
    Column("locale", String(5), nullable=True),
    Column("last_identity_id", Integer, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
)

chat_identities = Table(
    "chat_identities",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("users.id"), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("external_id", String(64), nullable=False),
    Column("chat_id", String(64), nullable=False),
    Column("display_name", String(120), nullable=False, server_default=""),
    Column("last_seen_at", UtcDateTime, nullable=False),
    Column("unreachable_at", UtcDateTime, nullable=True),
    # joined by a /link code: acts for the user's person, never with the user's roles
    Column("link_only", Boolean, nullable=False, server_default="0"),
    UniqueConstraint("channel", "external_id"),
    Index("ix_identities_user", "user_id"),
)

roles = Table(
    "roles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("users.id"), nullable=False),
    Column("role", String(16), nullable=False),
    Column("village_id", ForeignKey("villages.id"), nullable=True),
    Column("commune_id", ForeignKey("communes.id"), nullable=True),
    Column("granted_at", UtcDateTime, nullable=False),
    Column("granted_by", ForeignKey("users.id"), nullable=True),  # None: the command line
    UniqueConstraint("user_id", "role", "village_id", "commune_id"),
)

invites = Table(
    "invites",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("role", String(16), nullable=False),  # a role, or "link" to link a person
    Column("village_id", ForeignKey("villages.id"), nullable=True),
    Column("commune_id", ForeignKey("communes.id"), nullable=True),
    Column("person_id", ForeignKey("persons.id"), nullable=True),
    Column("created_by", ForeignKey("users.id"), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_by", ForeignKey("users.id"), nullable=True),
    Column("used_at", UtcDateTime, nullable=True),
)

conversations = Table(
    "conversations",
    metadata,
    Column("identity_id", ForeignKey("chat_identities.id"), primary_key=True),
    Column("state", String(64), nullable=True),
    Column("data", JSON, nullable=False, default=dict),
    Column("menu_keys", JSON, nullable=False, default=list),
    Column("updated_at", UtcDateTime, nullable=False),
    # The question last asked in a flow, to ask it again when an answer fits nothing.
    Column("prompt", Text, nullable=False, server_default=""),
)

choices = Table(
    "choices",
    metadata,
    Column("key", String(12), primary_key=True),
    # chat_identities.id, unchecked: a row per button offered, its identity resolved in the same
    # transaction and never deleted; PostgreSQL's check locked it per row (migration 0019).
    Column("identity_id", Integer, nullable=False),
    Column("action", String(64), nullable=False),
    Column("value", String(200), nullable=False, server_default=""),
    Column("label", String(200), nullable=False, server_default=""),
    Column("created_at", UtcDateTime, nullable=False),
    Column("meaning", String(64), nullable=False, server_default=""),
    Index("ix_choices_created", "created_at", postgresql_using="brin"),  # rows come in time order
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(120), nullable=False, unique=True),
    Column("user_id", ForeignKey("users.id"), nullable=True),
    Column("identity_id", ForeignKey("chat_identities.id"), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("chat_id", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("payload", JSON, nullable=False, default=dict),  # {"choices": [[label, key], ...]}
    # pending | sending | inflight | sent | failed | blocked
    Column("status", String(10), nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("last_error", String(200), nullable=True),
    Column("broadcast_id", Integer, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime, nullable=True),
    Column("claimed_by", String(160), nullable=True),  # the sender worker holding the claim
    Index("ix_outbox_due", "status", "next_attempt_at"),
    Index("ix_outbox_chat", "channel", "chat_id"),
    Index("ix_outbox_broadcast", "broadcast_id"),
)
