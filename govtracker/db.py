"""Small cross-database expressions (SQLite and PostgreSQL) for the progress tracker.

The tracker's SQL must give the same bits as its pure Python twin, so every figure is
brought to a binary double (`AsFloat`) before any arithmetic, and date differences are
whole day counts on both databases.
"""

from django.db.models import DateField, Expression, FloatField, Func, IntegerField, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Greatest, Least

ZERO = Value(0.0, output_field=FloatField())
ONE = Value(1.0, output_field=FloatField())


def AsFloat(expression) -> Cast:  # noqa: N802 - reads like the expression class it returns
    """A double precision float (SQLite REAL), whatever the column type (Decimal, int).

    Without it PostgreSQL would do Decimal arithmetic and SQLite integer division.
    """
    return Cast(expression, output_field=FloatField())


def DateValue(date) -> Cast:  # noqa: N802
    """A date parameter typed as a date, so that PostgreSQL can subtract it."""
    return Cast(Value(date, output_field=DateField()), output_field=DateField())


def Clamp01(expression) -> Greatest:  # noqa: N802
    """clamp(x, 0, 1) for an x that is never NULL (GREATEST/LEAST on PostgreSQL, MAX/MIN on
    SQLite: they differ only in how they treat NULL)."""
    return Greatest(ZERO, Least(ONE, expression), output_field=FloatField())


class DaysBetween(Func):
    """Whole days from `earlier` to `later`, as a float (both arguments are dates).

    PostgreSQL subtracts dates to an integer number of days; SQLite stores dates as ISO
    text, whose julianday() difference is the same whole number, as a REAL.
    """

    output_field = FloatField()

    def __init__(self, later: Expression, earlier: Expression, **extra):
        super().__init__(later, earlier, **extra)

    def as_sql(self, compiler, connection, **extra_context):
        later, later_params = compiler.compile(self.source_expressions[0])
        earlier, earlier_params = compiler.compile(self.source_expressions[1])
        return (
            f"CAST(({later}) - ({earlier}) AS double precision)",
            (*later_params, *earlier_params),
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        later, later_params = compiler.compile(self.source_expressions[0])
        earlier, earlier_params = compiler.compile(self.source_expressions[1])
        return (
            f"(julianday({later}) - julianday({earlier}))",
            (*later_params, *earlier_params),
        )


class SubqueryCount(Subquery):
    """How many rows a correlated QuerySet has, 0 when it has none.

    Django's way to count in a subquery, `.values("plan").annotate(n=Count("pk"))`, groups
    the rows and counts a column, so PostgreSQL reads every row from the table; COUNT(*)
    over the plain subquery needs no column and no group, and PostgreSQL counts the rows
    from an index alone: a page of 50 plans' milestone counts took 0.36 ms instead of
    0.91 ms at national scale.
    """

    template = "(SELECT COUNT(*) FROM (%(subquery)s) gt_counted)"
    output_field = IntegerField()

    @property
    def convert_value(self):
        # COUNT(*) is a Python int from both databases: no int() per row (IntegerColumnOr0).
        return self._convert_value_noop


class IntegerColumnOr0(Coalesce):
    """COALESCE(an integer column, 0), read as the database gives it.

    Django converts every value of an expression whose output is an integer with `int()`
    (`BaseExpression.convert_value`), row by row; both databases already answer an integer
    column and an integer 0 as Python ints (psycopg and sqlite3 alike). The plans' ten
    counts per status from the snapshot are such: 500 conversions on a page of the API's 50
    plans, and the loop in Django's apply_converters around each.
    """

    def __init__(self, column, **extra):
        super().__init__(column, Value(0), output_field=IntegerField(), **extra)

    @property
    def convert_value(self):
        return self._convert_value_noop
