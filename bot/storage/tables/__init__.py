"""Table definitions (SQLAlchemy Core), one module per area, all on one MetaData."""

from sqlalchemy import MetaData

metadata = MetaData()
