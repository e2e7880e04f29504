"""GIN expression index for the overview's Dutch full-text search (PostgreSQL only).

The expression is built from initiatives.selectors.search_vector() at migration time, so the
index matches the query the overview sends. SQLite (demo mode) gets no index and uses the
substring fallback.
"""

from django.db import migrations

INDEX_NAME = "initiative_search_nl_idx"


def _index():
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    return GinIndex(SearchVector("title", "description", config="dutch"), name=INDEX_NAME)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.add_index(apps.get_model("initiatives", "Initiative"), _index())


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.remove_index(apps.get_model("initiatives", "Initiative"), _index())


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0002_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
