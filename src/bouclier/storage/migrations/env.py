"""Alembic environment: runs migrations on the connection Bouclier hands it (see storage/db.py)."""

from alembic import context

from bouclier.storage.models import Base

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
