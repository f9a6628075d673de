"""Trigram indexes for the lists' text search (`?q=`) on PostgreSQL.

A search is `icontains` on a few text columns (plans.filters.search_condition), which
Django writes as `UPPER("column"::text) LIKE UPPER('%term%')`. No B-tree serves that: at
national scale a search with few matches read every row in the list's order, 1.0 s over
the milestones' statements and 13 s over the updates' narratives. A GIN index of the
trigrams of that same expression (pg_trgm, shipped with PostgreSQL and trusted since
version 13, so the database's owner may install it) finds the rows holding every trigram
of the term, and PostgreSQL combines one index per searched column with a bitmap OR.

A term of fewer than three characters has no trigram to look up (two Chinese characters,
say): PostgreSQL then plans the search as before. SQLite, the embedded development
database, has no such index and needs none at its size: the operation does nothing there.
"""

from django.db import migrations

# The columns each list's `q` searches, as plans/filters.py and metrics/filters.py name
# them; the jurisdictions' (3,000 rows) and indicators' (a dozen) are small enough to read.
SEARCHED = {
    "plans_plan": [
        "title",
        "title_en",
        "summary",
        "summary_en",
        "issuing_body",
        "issuing_body_en",
    ],
    "plans_milestone": ["statement", "statement_en"],
    "plans_progressupdate": ["narrative", "narrative_en"],
    "plans_source": ["title", "title_en", "publisher", "citation"],
}


def index_name(table: str, column: str) -> str:
    return f"{table.removeprefix('plans_')}_{column}_trgm"[:63]


class AddSearchIndexes(migrations.operations.base.Operation):
    """Creates the trigram indexes of `SEARCHED` on PostgreSQL (and the pg_trgm
    extension if it is missing); removes them when unapplied. Elsewhere, nothing."""

    reduces_to_sql = False
    reversible = True

    def state_forwards(self, app_label, state):
        pass  # no model state: the indexes are on expressions Django does not describe

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for table, columns in SEARCHED.items():
            for column in columns:
                schema_editor.execute(
                    f'CREATE INDEX IF NOT EXISTS "{index_name(table, column)}" ON "{table}" '
                    f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
                )
            # The planner weighs an index on an expression by that expression's
            # statistics, which ANALYZE gathers once the index exists; until then it kept
            # walking the list's order index (seconds).
            schema_editor.execute(f'ANALYZE "{table}"')

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table, columns in SEARCHED.items():
            for column in columns:
                schema_editor.execute(f'DROP INDEX IF EXISTS "{index_name(table, column)}"')

    def describe(self):
        return "Trigram indexes for the lists' text search (PostgreSQL)"
