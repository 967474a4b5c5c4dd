"""The SQLite database: schema, migrations and repositories that return domain objects."""
