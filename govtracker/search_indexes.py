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
database, has no such index and needs none at its size: the migration's functions do
nothing there. The indexes are on expressions, which a model's Meta cannot state for
both databases, so they live in a migration (`plans/0024`) rather than in the models.
"""

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


def create_search_indexes(apps, schema_editor) -> None:
    """The trigram indexes of `SEARCHED` (and the pg_trgm extension if it is missing), on
    PostgreSQL; elsewhere nothing. For migrations.RunPython."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, columns in SEARCHED.items():
        for column in columns:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{index_name(table, column)}" ON "{table}" '
                f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
            )
        # The planner weighs an index on an expression by that expression's statistics,
        # which ANALYZE gathers once the index exists; until then it kept walking the
        # list's order index (seconds).
        schema_editor.execute(f'ANALYZE "{table}"')


def drop_search_indexes(apps, schema_editor) -> None:
    """The migration unapplied: the indexes removed (the extension left, as others may
    use it)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, columns in SEARCHED.items():
        for column in columns:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{index_name(table, column)}"')
