"""Copies of the prototypes that Django REST framework and django-filter copy for every
request (a serializer's fields, a FilterSet's filters): a copy of the attributes, where the
libraries deep-copy (govtracker/fast_serialization.py and govtracker/filtersets.py say
when that is the same)."""


def containers_of(prototype) -> list[str]:
    """The names of the prototype's attributes that hold a list or a dictionary."""
    return [name for name, value in vars(prototype).items() if type(value) in (list, dict)]


def twin(prototype, containers: list[str], leave_out: tuple[str, ...] = ()):
    """A new object of the prototype's class with its attributes, the `containers` copied
    (what one copy adds to a list stays with it), the `leave_out` ones left out: what
    copy.copy() makes, without its generic protocol (__reduce_ex__), in a third of the
    time."""
    attributes = prototype.__dict__.copy()
    for name in containers:
        attributes[name] = attributes[name].copy()
    for name in leave_out:
        attributes.pop(name, None)
    copied = object.__new__(type(prototype))
    copied.__dict__ = attributes
    return copied
