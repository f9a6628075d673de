"""Rows made into model instances without the keyword-ready constructor.

Every row a QuerySet reads becomes an instance through `Model.from_db`, which calls
`Model.__init__`: a signal sent before and after, a fresh `ModelState`, and a `setattr`
per column through the class's descriptors (a data descriptor for each foreign key's
`_id`). A deadline-year page builds 150 instances (50 milestones, their plans and
jurisdictions), the API's plans list 100: about a tenth of their requests' Python.

`FastLoading.from_db` (Django's documented hook for "customizing model loading") writes the
columns straight into the instance's `__dict__`, where `__init__` would have put them too:
a plain field's descriptor (`DeferredAttribute`) reads the value from there, and a foreign
key's `_id` descriptor (`ForeignKeyDeferredAttribute`) only adds, on assignment, dropping a
related instance cached for another value, which a new instance does not have. A deferred
column is left out, as `__init__` leaves it out, so it is loaded when read.

It steps aside, to Django's own `from_db`, for a model with any other descriptor on a
column (a file field's, say, which does work when a value is set) and while any receiver
listens to `pre_init` or `post_init`. `tests/test_loading.py` compares the instances with
Django's, field by field, for full and deferred loads, `select_related` included.
"""

from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

#: The descriptors whose assignment on a new instance only stores the value. A foreign
#: key's `_id` one also drops a related instance cached for another value, which a new
#: instance has none of. Exactly these classes: a subclass may do more.
STORING_DESCRIPTORS = frozenset({DeferredAttribute, ForeignKeyDeferredAttribute})


def _columns_only_stored(model: type[Model]) -> bool:
    """Whether every concrete column's class attribute is one that assignment only stores."""
    for field in model._meta.concrete_fields:
        descriptor = model.__dict__.get(field.attname)
        if descriptor is None:
            for base in model.__mro__[1:]:
                if field.attname in base.__dict__:
                    descriptor = base.__dict__[field.attname]
                    break
        if type(descriptor) not in STORING_DESCRIPTORS:
            return False
    return True


class FastLoading:
    """Mixin for a model: instances from the database built by filling `__dict__`."""

    @classmethod
    def from_db(cls, db, field_names, values):
        plain = cls.__dict__.get("_fast_loading_plain")
        if plain is None:
            plain = _columns_only_stored(cls)
            # Kept on the class itself (not inherited): a subclass checks its own columns.
            type.__setattr__(cls, "_fast_loading_plain", plain)
        if not plain or pre_init.receivers or post_init.receivers:
            return super().from_db(db, field_names, values)
        new = cls.__new__(cls)
        state = ModelState()
        state.adding = False
        state.db = db
        # `field_names` are the loaded columns' attnames in the order of `values` (the
        # select list's order, as ModelIterable and select_related's populators build it).
        attributes = new.__dict__
        attributes["_state"] = state
        attributes.update(zip(field_names, values, strict=True))
        return new
