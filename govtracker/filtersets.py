"""The base of every FilterSet of the site and the API."""

from collections import OrderedDict

import django_filters
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.translation import get_language
from django_filters.filters import FilterMethod

from govtracker.copying import containers_of, twin

# Each FilterSet class's form class, per language.
_form_classes: dict[tuple[type, str | None], type] = {}


@receiver(setting_changed)
def _forget_form_classes(*, setting, **kwargs):
    # A filter's form field reads django-filter's settings when it is built (its help text).
    if setting.startswith("FILTERS_") or setting in {"LANGUAGES", "LANGUAGE_CODE"}:
        _form_classes.clear()


class FilterPrototypes(OrderedDict):
    """A FilterSet class's filters (base_filters), which every FilterSet instance copies.

    django-filter deep-copies them for each instance, that is on every request of a list:
    0.18 ms for the plans' nine filters, through copy.deepcopy()'s generic walk of every
    attribute. A filter holds its settings (names, a label, a lookup, the keyword
    arguments of its form field) and, once an instance has its own, a parent, a model and
    a form field: nothing that a use changes in place. So a copy of each filter's
    attributes, with its own lists and dictionaries, is as good as the deep copy, in a
    tenth of the time. One attribute points back at the filter: a filter with a
    `method` filters through a FilterMethod of itself, which the copy gets anew (the
    prototype's would call the method on the prototype's parent, that is on no FilterSet,
    or on another request's).
    """

    def __deepcopy__(self, memo):
        return OrderedDict((name, _copy_filter(f)) for name, f in self.items())


def _copy_filter(prototype):
    # A form field built on the prototype (drf-spectacular asks for one to describe the
    # API) is left behind: each copy builds its own if it is asked for one, as a copy of a
    # prototype that never built one does.
    copied = twin(prototype, containers_of(prototype), leave_out=("_field",))
    if isinstance(copied.__dict__.get("filter"), FilterMethod):
        copied.filter = FilterMethod(copied)
    return copied


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet, its form class built once per class and language.

    django-filter builds a new form class for every FilterSet instance, that is on every
    request of a list: a form field for each filter, then a class from them through
    Django's form metaclass (about 0.3 ms for the plans' eleven filters, 3 % of the API's
    plans list). The class depends only on the filters the FilterSet declares (their field
    classes, labels and choices): none of ours depends on the request or the instance, and
    a form instance works on its own deep copy of the class's fields (Form.__init__), so
    what a view changes on one form (a widget, a renderer) stays on that form. The language
    is part of the key in case a field's text is resolved when the field is built.
    """

    @classmethod
    def get_filters(cls):
        return FilterPrototypes(super().get_filters())

    def get_form_class(self):
        key = (type(self), get_language())
        form_class = _form_classes.get(key)
        if form_class is None:
            form_class = _form_classes[key] = super().get_form_class()
        return form_class
